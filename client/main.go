package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"slices"
	"strings"
	"syscall"

	"google.golang.org/grpc/status"
)

func main() {
	ctx, stop := signalContext(context.Background())
	code := run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr, os.Getenv)
	stop()
	os.Exit(code)
}

// signalContext returns a context cancelled by the first interrupt or
// SIGTERM. Once it is, the signals' default handling is back, so that a
// second one ends the process at once.
func signalContext(parent context.Context) (context.Context, context.CancelFunc) {
	ctx, stop := signal.NotifyContext(parent, os.Interrupt, syscall.SIGTERM)
	context.AfterFunc(ctx, stop)
	return ctx, stop
}

// exitInterrupted is the exit status of a command stopped by an interrupt
// (128 + SIGINT, as shells report it).
const exitInterrupted = 130

// errWriter passes writes on to w and remembers the first error, after
// which every write fails with it.
type errWriter struct {
	w   io.Writer
	err error
}

func (w *errWriter) Write(p []byte) (int, error) {
	if w.err != nil {
		return 0, w.err
	}
	n, err := w.w.Write(p)
	w.err = err
	return n, err
}

// usage is printed for -h and for unknown commands.
const usage = `usage: client <command> [flags] [args]

commands:
  classify [FILE|-]         classify text from FILE or stdin (default -)
  train --data FILE.jsonl   add examples ({"text","label"} per line); --replace rebuilds the model
  forget --data FILE.jsonl  take learned examples back
  eval --data FILE.jsonl    score examples without changing the model
  model                     show the model's state
  health                    check the server's health: prints SERVING and exits 0, else fails
  version                   print the client's build (also --version)

Run 'client <command> -h' for the command's flags.
`

// run executes one command and returns the process exit code.
func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer, getenv func(string) string) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return 2
	}
	// --version anywhere before a "--" is the version command, whatever
	// else the line says.
	for _, a := range args {
		if a == "--" {
			break
		}
		if a == "--version" || a == "-version" || a == "--version=true" || a == "-version=true" {
			args = []string{"version"}
			break
		}
	}
	args, err := commandFirst(args)
	if err != nil {
		fmt.Fprintf(stderr, "client: %v\n\n%s", err, usage)
		return 2
	}
	if args[0] == "help" && len(args) > 1 {
		args = []string{args[1], "-h"} // help COMMAND: the command's own usage
	}
	if args[0] == "help" || strings.HasPrefix(args[0], "-") {
		if args[0] == "help" || slices.ContainsFunc(args, func(a string) bool { return a == "-h" || a == "--help" || a == "-help" }) {
			return printHelp(stdout, stderr, usage) // asked for: to stdout, so that it pipes into grep or less
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
	var help bytes.Buffer
	fs.SetOutput(&help)
	common := registerCommon(fs, getenv)
	// The help of a command that sends no token, or calls no server, says
	// that it ignores those flags (a wrapper may pass them to every
	// command).
	switch {
	case cmd.offline:
		fs.VisitAll(func(f *flag.Flag) { f.Usage = "ignored: this command calls no server" })
	case cmd.noToken:
		for _, name := range []string{"token", "token-file"} {
			fs.Lookup(name).Usage = "ignored: this command sends no token"
		}
	}
	opts := cmd.flags(fs)
	positional, err := parseInterleaved(fs, args[1:])
	if err != nil {
		// The flag package wrote the error and the usage to help: asked
		// for (-h), they go to stdout; after a mistake, to stderr.
		if errors.Is(err, flag.ErrHelp) {
			return printHelp(stdout, stderr, help.String())
		}
		stderr.Write(help.Bytes())
		return 2
	}
	// An offline command uses none of the connection's settings: a bad
	// one (CLAIMS_ADDR without a port, say) must not stop it.
	if !cmd.offline {
		if err := common.resolve(fs, getenv, !cmd.noToken); err != nil {
			return report(ctx, stderr, args[0], err)
		}
	}
	out := &errWriter{w: stdout}
	env := &env{stdin: stdin, stdout: out, stderr: stderr, args: positional}
	env.common = common
	if !cmd.offline {
		conn, err := common.dial(stderr)
		if err != nil {
			fmt.Fprintln(stderr, "client:", err)
			return 1
		}
		defer conn.Close()
		env.conn = conn
	}
	err = common.hint(cmd.run(ctx, env, opts))
	if err == nil && out.err != nil {
		err = fmt.Errorf("writing the output: %w", out.err)
	}
	return report(ctx, stderr, args[0], err)
}

// printHelp writes text, help that was asked for, to stdout and returns
// the exit status: 0, or 1 if it could not be written, which it says on
// stderr.
func printHelp(stdout, stderr io.Writer, text string) int {
	if _, err := io.WriteString(stdout, text); err != nil {
		fmt.Fprintln(stderr, "client: writing the help:", err)
		return 1
	}
	return 0
}

// report prints the error of command name, if any, and returns the exit
// status: 0 without an error, 2 for a usage error, 130 if ctx was
// cancelled (an interrupt), else 1.
func report(ctx context.Context, stderr io.Writer, name string, err error) int {
	if err == nil {
		return 0
	}
	var ue usageError
	if errors.As(err, &ue) {
		fmt.Fprintf(stderr, "client %s: %v\n", name, err)
		return 2
	}
	if st, ok := status.FromError(err); ok && st.Code() != 0 {
		fmt.Fprintf(stderr, "client: %s: %s\n", st.Code(), st.Message())
		if fe := (faultError{}); errors.As(err, &fe) {
			fmt.Fprintf(stderr, "client: the server's log has the call under x_request_id=%s\n", fe.id)
		}
	} else {
		fmt.Fprintln(stderr, "client:", err)
	}
	if ctx.Err() != nil {
		return exitInterrupted
	}
	return 1
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
// flag or a flag's value. A flag no command has, before the command, is
// refused: there is no knowing whether the argument after it is its
// value or the command.
func commandFirst(args []string) ([]string, error) {
	if len(args) == 0 || !strings.HasPrefix(args[0], "-") {
		return args, nil
	}
	for i := 0; i < len(args); i++ {
		a := args[i]
		if a == "--" {
			break
		}
		if a == "-" || !strings.HasPrefix(a, "-") {
			return append(append([]string{a}, args[:i]...), args[i+1:]...), nil
		}
		name, _, hasValue := strings.Cut(strings.TrimLeft(a, "-"), "=")
		if name == "h" || name == "help" {
			continue
		}
		switch flagKind(name) {
		case unknownFlag:
			return nil, fmt.Errorf("flag provided but not defined: -%s", name)
		case valueFlag:
			if !hasValue {
				i++ // the flag's value
			}
		}
	}
	return args, nil
}

// The kinds of flags flagKind tells apart.
const (
	unknownFlag = iota // no command has it
	boolFlag           // takes no value ("--json")
	valueFlag          // takes a value ("--addr host:port")
)

// flagKind says whether some command has a flag called name, and whether
// it takes a value.
func flagKind(name string) int {
	kind := unknownFlag
	for _, c := range commands() {
		fs := flag.NewFlagSet("", flag.ContinueOnError)
		registerCommon(fs, func(string) string { return "" })
		c.flags(fs)
		if f := fs.Lookup(name); f != nil {
			if isBoolFlag(f) {
				return boolFlag
			}
			kind = valueFlag
		}
	}
	return kind
}
