// Command client is the command-line client of the claims service:
//
//	client classify [FILE|-]           label each sentence of a text
//	client train --data FILE.jsonl      add labeled examples (--replace rebuilds)
//	client forget --data FILE.jsonl     take learned examples back
//	client eval --data FILE.jsonl       score labeled examples
//	client model                        show the model's state
//
// Every command takes --addr, --token (or CLAIMS_TOKEN), --timeout and the
// TLS flags, anywhere on the command line. On failure it prints
// the gRPC code and message and exits 1; used wrongly, it exits 2.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"

	"google.golang.org/grpc/status"
)

func main() {
	os.Exit(run(context.Background(), os.Args[1:], os.Stdin, os.Stdout, os.Stderr, os.Getenv))
}

// usage is printed for -h and for unknown commands.
const usage = `usage: client <command> [flags] [args]

commands:
  classify [FILE|-]         classify text from FILE or stdin (default -)
  train --data FILE.jsonl   add examples ({"text","label"} per line); --replace rebuilds the model
  forget --data FILE.jsonl  take learned examples back
  eval --data FILE.jsonl    score examples without changing the model
  model                     show the model's state

Run 'client <command> -h' for the command's flags.
`

// run executes one command and returns the process exit code.
func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer, getenv func(string) string) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return 2
	}
	args = commandFirst(args)
	if args[0] == "help" || strings.HasPrefix(args[0], "-") {
		if args[0] == "help" || slices.ContainsFunc(args, func(a string) bool { return a == "-h" || a == "--help" || a == "-help" }) {
			fmt.Fprint(stderr, usage)
			return 0
		}
		fmt.Fprintf(stderr, "client: no command given\n\n%s", usage)
		return 2
	}
	cmd, ok := commands()[args[0]]
	if !ok {
		fmt.Fprintf(stderr, "client: unknown command %q\n\n%s", args[0], usage)
		return 2
	}
	fs := flag.NewFlagSet("client "+args[0], flag.ContinueOnError)
	fs.SetOutput(stderr)
	common := registerCommon(fs, getenv)
	opts := cmd.flags(fs)
	positional, err := parseInterleaved(fs, args[1:])
	if err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	if common.timeout <= 0 {
		fmt.Fprintf(stderr, "client: --timeout must be positive, got %v\n", common.timeout)
		return 2
	}
	env := &env{stdin: stdin, stdout: stdout, stderr: stderr, args: positional}
	conn, err := common.dial()
	if err != nil {
		fmt.Fprintln(stderr, "client:", err)
		return 1
	}
	defer conn.Close()
	env.conn = conn
	env.common = common
	if err := cmd.run(ctx, env, opts); err != nil {
		var ue usageError
		if errors.As(err, &ue) {
			fmt.Fprintf(stderr, "client %s: %v\n", args[0], err)
			return 2
		}
		if st, ok := status.FromError(err); ok && st.Code() != 0 {
			fmt.Fprintf(stderr, "client: %s: %s\n", st.Code(), st.Message())
		} else {
			fmt.Fprintln(stderr, "client:", err)
		}
		return 1
	}
	return 0
}

// parseInterleaved parses args, allowing flags after positional arguments
// ("classify FILE --json"); everything after a "--" that is not a flag's
// value ("--token --") is positional.
func parseInterleaved(fs *flag.FlagSet, args []string) ([]string, error) {
	var flags, positional []string
	for i := 0; i < len(args); i++ {
		a := args[i]
		if a == "--" {
			positional = append(positional, args[i+1:]...)
			break
		}
		if a == "-" || !strings.HasPrefix(a, "-") {
			positional = append(positional, a) // "-" is standard input
			continue
		}
		flags = append(flags, a)
		name := strings.TrimLeft(a, "-")
		if strings.Contains(name, "=") || i+1 == len(args) {
			continue
		}
		if f := fs.Lookup(name); f != nil && !isBoolFlag(f) {
			i++
			flags = append(flags, args[i])
		}
	}
	if err := fs.Parse(flags); err != nil {
		return nil, err
	}
	return positional, nil
}

// isBoolFlag reports whether f takes no value ("--json").
func isBoolFlag(f *flag.Flag) bool {
	b, ok := f.Value.(interface{ IsBoolFlag() bool })
	return ok && b.IsBoolFlag()
}

// usageError is a command used wrongly (exit status 2), as opposed to a
// command that failed (1).
type usageError struct{ error }

func usageErrorf(format string, args ...any) error {
	return usageError{fmt.Errorf(format, args...)}
}

// commandFirst moves the command name to the front when flags come before
// it ("client --addr host:port model"): the first argument that is not a
// flag or a flag's value.
func commandFirst(args []string) []string {
	if len(args) == 0 || !strings.HasPrefix(args[0], "-") {
		return args
	}
	for i := 0; i < len(args); i++ {
		a := args[i]
		if a == "--" {
			break
		}
		if !strings.HasPrefix(a, "-") {
			return append(append([]string{a}, args[:i]...), args[i+1:]...)
		}
		// A flag without "=" takes the next argument as its value, unless
		// it is a boolean flag.
		if strings.HasPrefix(a, "-") && !strings.Contains(a, "=") && !boolFlag(strings.TrimLeft(a, "-")) {
			i++
		}
	}
	return args
}

// boolFlag reports whether name is a boolean flag of some command.
func boolFlag(name string) bool {
	for _, c := range commands() {
		fs := flag.NewFlagSet("", flag.ContinueOnError)
		registerCommon(fs, func(string) string { return "" })
		c.flags(fs)
		if f := fs.Lookup(name); f != nil && isBoolFlag(f) {
			return true
		}
	}
	return false
}
