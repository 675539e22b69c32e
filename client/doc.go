// Command client is the command-line client of the claims service:
//
//	client classify [FILE|-]           label each sentence of a text
//	client train --data FILE.jsonl      add labeled examples (--replace rebuilds)
//	client forget --data FILE.jsonl     take learned examples back
//	client eval --data FILE.jsonl       score labeled examples
//	client model                        show the model's state
//	client health                       check the server's health (exit 0 when serving)
//	client version                      print the client's build
//
// Every command takes --addr, --token or --token-file (or CLAIMS_TOKEN or
// CLAIMS_TOKEN_FILE), --timeout and the
// TLS flags, anywhere on the command line. On failure it prints
// the gRPC code and message and exits 1; used wrongly, it exits 2.
// Interrupted (Ctrl-C or SIGTERM), it stops the call under way, says what
// a train or forget had done by then, and exits 130; a second interrupt
// ends it at once.
package main
