package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"os"
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/encoding/protowire"

	"github.com/claimsvc/claims/classifier"
	claimsv1 "github.com/claimsvc/claims/proto/claims/v1"
)

type classifyOpts struct {
	json      bool
	sentences bool
	explain   int
}

func classifyFlags(fs *flag.FlagSet) any {
	o := &classifyOpts{}
	fs.BoolVar(&o.json, "json", false, "print one JSON object per sentence")
	fs.BoolVar(&o.sentences, "sentences", false, "treat each input line as one sentence (no segmentation)")
	fs.IntVar(&o.explain, "explain", 0, "show up to this many features that decided each label")
	return o
}

// readInput reads the file named by the first argument, or stdin for "-"
// or no argument, and returns its name for messages.
func readInput(ctx context.Context, e *env) (string, string, error) {
	if len(e.args) > 1 {
		return "", "", usageErrorf("expected at most one FILE, got %d arguments", len(e.args))
	}
	name := "-"
	if len(e.args) > 0 {
		name = e.args[0]
	}
	return readSource(ctx, e, name)
}

// maxInputBytes bounds the input the client reads (a file to classify, an
// example file): it holds all of it in memory, and /dev/zero or an endless
// pipe would otherwise take it all.
const maxInputBytes = 256 << 20

// readSource reads the file name, or stdin for "-", to its end, and
// returns the name to use in messages and the input, read into a string
// once (a string made from the bytes read would copy them all). Input over maxInputBytes is an
// error; a regular file over it (stdin too, when it is one) is refused
// before it is read. Anything else (a terminal, a pipe, a FIFO, whose
// open alone waits for a writer) is opened and read where an interrupt
// ends the wait (readContext).
func readSource(ctx context.Context, e *env, name string) (string, string, error) {
	label := name
	if name == "-" {
		label = "stdin"
	}
	tooLarge := fmt.Errorf("%s: more than %d bytes (256 MiB), which the client does not read: split the input", label, maxInputBytes)
	size, regular := inputSize(e, name)
	if regular && size > maxInputBytes {
		return "", "", tooLarge
	}
	read := func() (string, error) {
		if name == "-" {
			return readAllSized(e.stdin, size)
		}
		return readFile(name, size) // not regular, or not there: Open says which
	}
	var b string
	var err error
	if regular {
		b, err = read()
	} else {
		b, err = readContext(ctx, read)
	}
	switch {
	case err != nil && (name == "-" || errors.Is(err, ctx.Err())):
		return "", "", fmt.Errorf("reading %s: %w", label, err)
	case err != nil:
		return "", "", err // it names the file: "read notes: is a directory"
	case len(b) > maxInputBytes:
		return "", "", tooLarge
	}
	return label, b, nil
}

// inputSize returns the bytes left to read in the input name ("-" for
// stdin), if it is a regular file, whose reads do not block.
func inputSize(e *env, name string) (int64, bool) {
	if name == "-" {
		return regularSize(e.stdin)
	}
	fi, err := os.Stat(name)
	if err != nil || !fi.Mode().IsRegular() {
		return 0, false
	}
	return fi.Size(), true
}

// readFile reads the file name, of about size bytes, up to one byte past
// maxInputBytes.
func readFile(name string, size int64) (string, error) {
	f, err := os.Open(name)
	if err != nil {
		return "", err
	}
	defer f.Close()
	return readAllSized(f, size)
}

// readAllSized reads r, of about size bytes (0 if not known), up to one
// byte past maxInputBytes, into a string made for size. Of unknown size (a
// pipe), it is read in chunks copied once into a string of the size read:
// twice the input at most, where a buffer grown by doubling and then
// copied took 3.7 times.
func readAllSized(r io.Reader, size int64) (string, error) {
	r = io.LimitReader(r, maxInputBytes+1)
	var b strings.Builder
	if size > 0 {
		b.Grow(int(min(size, maxInputBytes)) + bytes.MinRead)
		_, err := io.Copy(&b, r)
		return b.String(), err
	}
	var chunks [][]byte
	total := 0
	for {
		chunk := make([]byte, readChunk)
		n, err := io.ReadFull(r, chunk)
		chunks = append(chunks, chunk[:n])
		total += n
		if err == io.EOF || err == io.ErrUnexpectedEOF {
			break
		}
		if err != nil {
			return "", err
		}
	}
	b.Grow(total)
	for _, c := range chunks {
		b.Write(c)
	}
	return b.String(), nil
}

// readChunk is the size of the chunks readAllSized reads input of unknown
// size in.
const readChunk = 1 << 20

// regularSize returns how many bytes are left to read in r if it is a
// regular file, whose reads do not block.
func regularSize(r io.Reader) (int64, bool) {
	f, ok := r.(*os.File)
	if !ok {
		return 0, false
	}
	fi, err := f.Stat()
	if err != nil || !fi.Mode().IsRegular() {
		return 0, false
	}
	if at, err := f.Seek(0, io.SeekCurrent); err == nil {
		return max(fi.Size()-at, 0), true // past the end of a file that shrank: nothing left
	}
	return fi.Size(), true
}

// readContext runs read, or gives up when ctx is done: a read from a
// terminal, a pipe or a FIFO does not stop for an interrupt, so it is left
// behind.
func readContext(ctx context.Context, read func() (string, error)) (string, error) {
	type result struct {
		b   string
		err error
	}
	done := make(chan result, 1)
	go func() {
		b, err := read()
		done <- result{b, err}
	}()
	select {
	case d := <-done:
		return d.b, d.err
	case <-ctx.Done():
		return "", ctx.Err()
	}
}

// utf8BOM is the byte order mark some editors write at the start of a
// UTF-8 file.
const utf8BOM = "\ufeff"

func runClassify(ctx context.Context, e *env, opts any) error {
	o := opts.(*classifyOpts)
	if o.explain < 0 || o.explain > math.MaxInt32 {
		return usageErrorf("--explain must be between 0 and %d, got %d", math.MaxInt32, o.explain)
	}
	in, text, err := readClassifyInput(ctx, e, o.sentences)
	if err != nil {
		return err
	}
	l, state, err := serverModel(ctx, e)
	if err != nil {
		return err
	}
	if l.explainKnown && o.explain > l.maxExplain {
		return usageErrorf("--explain %d is above the server's limit of %d", o.explain, l.maxExplain)
	}
	var out resultSink = &jsonSink{enc: json.NewEncoder(e.stdout), offsets: !o.sentences, in: in}
	if !o.json {
		maxIndex := len(in.sents)
		if !o.sentences {
			maxIndex = maxSentences(text)
		}
		out = newTableSink(e.stdout, maxIndex, state.labels, o.explain > 0)
	}
	c := &classifyRun{e: e, explain: int32(o.explain), in: in, out: out, versions: map[uint64]bool{}}
	if o.sentences {
		err = c.sendSentences(ctx, l)
	} else {
		err = c.sendText(ctx, text, l)
	}
	if err != nil {
		// The results already had stay printed, as --json prints them as
		// they come; the error, on stderr, says where the run stopped.
		if ferr := out.abort(); ferr != nil && !errors.Is(err, ferr) {
			return errors.Join(err, ferr) // not the write that failed already
		}
		return err
	}
	if err := out.end(c.version, c.count); err != nil {
		return err
	}
	if len(c.versions) > 1 {
		fmt.Fprintf(e.stderr, "client: the model changed while the input was classified (%d versions); the last was %d\n", len(c.versions), c.version)
	}
	return nil
}

// readClassifyInput reads the input of classify and checks it as the
// server would; it returns the text past any byte order mark.
func readClassifyInput(ctx context.Context, e *env, sentences bool) (*classifyInput, string, error) {
	file, input, err := readInput(ctx, e)
	if err != nil {
		return nil, "", err
	}
	// A byte order mark is not text; offsets stay those of the file.
	in := &classifyInput{file: file}
	text := input
	if strings.HasPrefix(text, utf8BOM) {
		text, in.base = text[len(utf8BOM):], len(utf8BOM)
	}
	if sentences {
		err = in.readSentences(text)
	} else {
		err = in.checkText(text)
	}
	return in, text, err
}

// classifyInput is the input of classify, checked as the server checks
// it, with what is needed to name a place in it.
type classifyInput struct {
	file string
	base int // bytes of the byte order mark left out of the text
	// With --sentences: the text past any byte order mark, and each of
	// its non-blank lines, trimmed, as offsets into it with the file's
	// line number: 12 bytes a line, where a string and an int took 24
	// (a file of short lines took about 30 times its size).
	text  string
	sents []lineSpan
}

// lineSpan is one --sentences line: text[start:end], on the file's line.
// The client reads at most maxInputBytes, so every offset fits.
type lineSpan struct{ start, end, line uint32 }

// sentence returns the i-th sentence of a --sentences input.
func (in *classifyInput) sentence(i int) string {
	return in.text[in.sents[i].start:in.sents[i].end]
}

// line returns the file's line of the i-th sentence of a --sentences input.
func (in *classifyInput) line(i int) int { return int(in.sents[i].line) }

// sentences returns the sentences of sp, for a request.
func (in *classifyInput) sentences(sp span) []string {
	out := make([]string, sp.hi-sp.lo)
	for i := range out {
		out[i] = in.sentence(sp.lo + i)
	}
	return out
}

// checkText refuses a text the server would refuse as a whole, naming the
// file's byte at fault.
func (in *classifyInput) checkText(text string) error {
	if pos, r, err := firstBad(text); err != nil {
		return fmt.Errorf("%s: byte %d: %w", in.file, in.base+pos, badRune(r, err))
	}
	if isBlank(text) {
		return fmt.Errorf("%s: %w", in.file, classifier.ErrEmptyText)
	}
	return nil
}

// trimmable reports the white space trimmed from a --sentences line: what
// the server counts as blank (white space, and invisible characters such
// as the byte order mark that files joined by cat leave at a line's start,
// the zero-width ones and bidirectional marks), but not the control
// characters it refuses (\v, \f, U+0085), which are left for firstBad to
// report.
func trimmable(r rune) bool {
	var b [utf8.UTFMax]byte
	return isBlank(string(utf8.AppendRune(b[:0], r)))
}

// readSentences splits text into lines as the server's segmenter does
// (nextBreak) and keeps the non-blank ones, trimmed, refusing one the
// server would refuse.
func (in *classifyInput) readSentences(text string) error {
	in.text = text
	// One span a line at most, allocated once.
	lines := 1 + strings.Count(text, "\n") + strings.Count(text, "\r") - strings.Count(text, "\r\n") +
		strings.Count(text, "\u2028") + strings.Count(text, "\u2029")
	in.sents = make([]lineSpan, 0, lines)
	line := 0
	for pos := 0; pos < len(text); {
		i, w := nextBreak(text, pos)
		line++
		raw := text[pos:i]
		start := pos + len(raw) - len(strings.TrimLeftFunc(raw, trimmable))
		s := strings.TrimRightFunc(text[start:i], trimmable)
		if p, r, err := firstBad(s); err != nil {
			return fmt.Errorf("%s line %d (byte %d): %w", in.file, line, in.base+start+p, badRune(r, err))
		}
		if !isBlank(s) {
			in.sents = append(in.sents, lineSpan{uint32(start), uint32(start + len(s)), uint32(line)})
		}
		pos = i + w
	}
	if len(in.sents) == 0 {
		return fmt.Errorf("%s: %w (no line holds a sentence)", in.file, classifier.ErrEmptyText)
	}
	return nil
}

// firstBad returns the position of the first rune of s that the server
// refuses in any text (classifier.CheckText): a byte that is not valid
// UTF-8 (ErrInvalidUTF8), or a control character other than tab, line
// feed and carriage return (ErrControlChar).
func firstBad(s string) (int, rune, error) {
	for i, r := range s {
		switch {
		case r == utf8.RuneError:
			if _, n := utf8.DecodeRuneInString(s[i:]); n == 1 {
				return i, r, classifier.ErrInvalidUTF8
			}
		case r == '\t' || r == '\n' || r == '\r':
		case r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0):
			return i, r, classifier.ErrControlChar
		}
	}
	return 0, 0, nil
}

// badRune says which character firstBad found, when it is one.
func badRune(r rune, err error) error {
	if errors.Is(err, classifier.ErrControlChar) {
		return fmt.Errorf("%w (U+%04X)", err, r)
	}
	return err
}

// isBlank reports whether the server takes s for empty text.
func isBlank(s string) bool {
	return errors.Is(classifier.CheckText(s), classifier.ErrEmptyText)
}

// nextBreak returns the position of the first line break in s at or after
// i, and its width: one of the breaks that always end a sentence
// (classifier.Segment), "\n", "\r", "\r\n", U+2028 and U+2029. Without
// one, it returns len(s), 0. (The server also breaks at \v, \f and U+0085,
// but refuses them as control characters.)
func nextBreak(s string, i int) (int, int) {
	for ; i < len(s); i++ {
		switch s[i] {
		case '\n':
			return i, 1
		case '\r':
			if i+1 < len(s) && s[i+1] == '\n' {
				return i, 2
			}
			return i, 1
		case 0xe2: // the first byte of U+2028 and U+2029
			if strings.HasPrefix(s[i:], "\u2028") || strings.HasPrefix(s[i:], "\u2029") {
				return i, 3
			}
		}
	}
	return len(s), 0
}

// chunk is a piece of the input text sent in one Classify request, at byte
// offset start of the input.
type chunk struct {
	start int
	text  string
}

// chunkText splits text at line breaks, which always end a sentence, into
// pieces within the server's limits on bytes, sentences (counted with
// classifier.Segment, as the server counts them) and message size per
// request. A single line beyond the limits is a piece of its own, which
// oversized refuses before anything is sent (or the server, if it did not
// report its limits). Pieces of white space alone are
// left out, unless the text is nothing else (the server then says it is
// empty).
func chunkText(text string, l limits) []chunk {
	all := splitText(text, l)
	out := all[:0:0]
	for _, c := range all {
		if !isBlank(c.text) {
			out = append(out, c)
		}
	}
	if len(out) == 0 {
		return all[:1]
	}
	return out
}

// splitText is chunkText before blank pieces are left out.
func splitText(text string, l limits) []chunk {
	budget := min(l.maxTextBytes, l.msgBudget())
	var out []chunk
	start, size, sentences := 0, 0, 0
	for pos := 0; pos < len(text); {
		i, w := nextBreak(text, pos)
		line := text[pos : i+w]
		n := len(classifier.Segment(line))
		if size > 0 && (size+len(line) > budget || sentences+n > l.maxSentences) {
			out = append(out, chunk{start, text[start:pos]})
			start, size, sentences = pos, 0, 0
		}
		size += len(line)
		sentences += n
		pos = i + w
	}
	if start < len(text) || len(out) == 0 {
		out = append(out, chunk{start, text[start:]})
	}
	return out
}

// halveText splits c in two at the line break nearest its middle, or
// reports that it is a single line.
func halveText(c chunk) (chunk, chunk, bool) {
	mid := len(c.text) / 2
	best := -1
	for pos := 0; pos < len(c.text); {
		i, w := nextBreak(c.text, pos)
		end := i + w
		if w == 0 || end == len(c.text) {
			break
		}
		if best < 0 || abs(end-mid) < abs(best-mid) {
			best = end
		}
		if end > mid {
			break
		}
		pos = end
	}
	if best <= 0 {
		return chunk{}, chunk{}, false
	}
	return chunk{c.start, c.text[:best]}, chunk{c.start + best, c.text[best:]}, true
}

func abs(n int) int { return max(n, -n) }

// chunkSentences splits pre-split sentences, in order, into requests
// within the server's limits on sentences, bytes and message size.
func chunkSentences(in *classifyInput, l limits) []span {
	var out []span
	lo, size, encoded := 0, 0, 0
	for i, sp := range in.sents {
		size1 := int(sp.end - sp.start)
		n := 1 + protowire.SizeBytes(size1) // field tag, length and bytes
		if i > lo && (i-lo == l.maxSentences || size+size1 > l.maxTextBytes || encoded+n > l.msgBudget()) {
			out = append(out, span{lo, i})
			lo, size, encoded = i, 0, 0
		}
		size += size1
		encoded += n
	}
	return append(out, span{lo, len(in.sents)})
}

// classifyRun sends the input of classify in requests and hands each
// answer's results to out as it arrives.
type classifyRun struct {
	e        *env
	explain  int32
	in       *classifyInput
	out      resultSink
	count    int // sentences handed to out so far
	version  uint64
	versions map[uint64]bool // model versions that answered
}

// sendText classifies text in chunks within the server's limits l.
func (c *classifyRun) sendText(ctx context.Context, text string, l limits) error {
	chunks := chunkText(text, l)
	if err := c.oversized(chunks, l); err != nil {
		return err
	}
	for _, ch := range chunks {
		if err := c.classifyChunk(ctx, ch, len(chunks) == 1); err != nil {
			return err
		}
	}
	return nil
}

// oversized refuses, before anything is sent, a chunk the server would
// refuse for its size when the server reported its limits: a single line
// longer than max_text_bytes, or with more sentences than max_sentences,
// which no split at line breaks brings within them. Like the client's
// other checks of its input, the error has no gRPC code: it is placed in
// the file by placeText.
func (c *classifyRun) oversized(chunks []chunk, l limits) error {
	if !l.textReported {
		return nil
	}
	for _, ch := range chunks {
		msg := ""
		if n := len(ch.text); n > l.maxTextBytes {
			msg = fmt.Sprintf("%d bytes exceed the server's limit of %d (one line; the client splits text only at line breaks)", n, l.maxTextBytes)
		} else if n := len(classifier.Segment(ch.text)); n > l.maxSentences {
			msg = fmt.Sprintf("%d sentences exceed the server's limit of %d (one line; the client splits text only at line breaks)", n, l.maxSentences)
		}
		if msg != "" {
			return errors.New(c.placeText(msg, ch, len(chunks) == 1))
		}
	}
	return nil
}

// classifyChunk classifies one chunk of the text; whole says it is the
// whole text. An answer too large for the client to receive is asked for
// again in two halves, down to a single line.
func (c *classifyRun) classifyChunk(ctx context.Context, ch chunk, whole bool) error {
	resp, err := c.call(ctx, &claimsv1.ClassifyRequest{Text: ch.text})
	if err != nil {
		if a, b, ok := halveText(ch); ok && tooLarge(err) {
			for _, h := range []chunk{a, b} {
				if isBlank(h.text) {
					continue
				}
				if err := c.classifyChunk(ctx, h, false); err != nil {
					return err
				}
			}
			return nil
		}
		return c.textError(err, ch, whole)
	}
	return c.emit(resp, c.in.base+ch.start)
}

// sendSentences classifies the input's sentences in requests within the
// server's limits l.
func (c *classifyRun) sendSentences(ctx context.Context, l limits) error {
	// One sentence longer than the server takes is refused before
	// anything is sent, as oversized does for text.
	for _, sp := range c.in.sents {
		if n := int(sp.end - sp.start); l.textReported && n > l.maxTextBytes {
			return fmt.Errorf("%s line %d: %d bytes exceed the server's limit of %d", c.in.file, sp.line, n, l.maxTextBytes)
		}
	}
	for _, sp := range chunkSentences(c.in, l) {
		if err := c.classifySentences(ctx, sp); err != nil {
			return err
		}
	}
	return nil
}

// classifySentences classifies the sentences of sp; an answer too large
// for the client to receive is asked for again in two halves, down to one
// sentence.
func (c *classifyRun) classifySentences(ctx context.Context, sp span) error {
	resp, err := c.call(ctx, &claimsv1.ClassifyRequest{Sentences: c.in.sentences(sp)})
	if err != nil {
		if sp.hi-sp.lo > 1 && tooLarge(err) {
			mid := (sp.lo + sp.hi) / 2
			if err := c.classifySentences(ctx, span{sp.lo, mid}); err != nil {
				return err
			}
			return c.classifySentences(ctx, span{mid, sp.hi})
		}
		return c.sentencesError(err, sp)
	}
	return c.emit(resp, -1)
}

// call sends one Classify request.
func (c *classifyRun) call(ctx context.Context, req *claimsv1.ClassifyRequest) (*claimsv1.ClassifyResponse, error) {
	req.Explain = c.explain
	cctx, cancel := c.e.common.callContext(ctx)
	defer cancel()
	return c.e.client().Classify(cctx, req)
}

// emit hands an answer's results to the output, with the indexes of the
// whole input and, unless start is negative (sentences), offsets moved by
// start.
func (c *classifyRun) emit(resp *claimsv1.ClassifyResponse, start int) error {
	c.version = resp.GetModelVersion()
	c.versions[c.version] = true
	for _, s := range resp.GetSentences() {
		s.Index = int32(c.count)
		if start >= 0 {
			s.Start += int32(start)
			s.End += int32(start)
		}
		c.count++
		if err := c.out.add(s, c.version); err != nil {
			return err
		}
	}
	return nil
}

// tooLarge reports whether a Classify failed because a message was larger
// than its receiver takes: the answer was too large for the client (or,
// though the client keeps within the server's limit, the request for the
// server). Either way, asking for less helps.
func tooLarge(err error) bool {
	st := status.Convert(err)
	return st.Code() == codes.ResourceExhausted && strings.Contains(st.Message(), "larger than max")
}

// byteOffset matches the position a server error gives within a text.
var byteOffset = regexp.MustCompile(`at byte (\d+)`)

// textError rewrites the error of the request for chunk ch so that it
// names the file and positions in it (placeText), keeping its gRPC code.
func (c *classifyRun) textError(err error, ch chunk, whole bool) error {
	st := status.Convert(err)
	return keepID(err, status.Error(st.Code(), c.placeText(st.Message(), ch, whole)))
}

// placeText returns msg, an error about chunk ch, naming the file and the
// positions in it: "at byte N" counts from the start of the file, and a
// message with no position names the chunk's bytes unless ch is the whole
// text.
func (c *classifyRun) placeText(msg string, ch chunk, whole bool) string {
	msg = strings.TrimPrefix(msg, "text: ")
	start := c.in.base + ch.start
	where := c.in.file
	if byteOffset.MatchString(msg) {
		msg = byteOffset.ReplaceAllStringFunc(msg, func(m string) string {
			n, _ := strconv.Atoi(byteOffset.FindStringSubmatch(m)[1])
			return fmt.Sprintf("at byte %d", start+n)
		})
	} else if !whole {
		where += fmt.Sprintf(" bytes %d–%d", start, start+len(ch.text)-1)
	}
	return where + ": " + msg
}

// sentenceIndex matches the "sentences[i]" a server error starts with,
// which counts within the request.
var sentenceIndex = regexp.MustCompile(`^sentences\[(\d+)\]:? ?`)

// sentencesError rewrites the error of the request for the sentences of
// sp so that it names the file's line at fault (or the lines of the
// request), keeping its gRPC code.
func (c *classifyRun) sentencesError(err error, sp span) error {
	st := status.Convert(err)
	msg := st.Message()
	if m := sentenceIndex.FindStringSubmatch(msg); m != nil {
		if i, aerr := strconv.Atoi(m[1]); aerr == nil && sp.lo+i < sp.hi {
			return keepID(err, status.Errorf(st.Code(), "%s line %d: %s", c.in.file, c.in.line(sp.lo+i), msg[len(m[0]):]))
		}
	}
	msg = strings.TrimPrefix(msg, "sentences: ")
	return keepID(err, status.Errorf(st.Code(), "%s %s: %s", c.in.file, lineRange(c.in.line(sp.lo), c.in.line(sp.hi-1)), msg))
}

// resultSink prints the results of classify.
type resultSink interface {
	// add takes one result, classified by model version.
	add(s *claimsv1.SentenceResult, version uint64) error
	// end is called once every result was added: version is the last
	// model version, n the number of results.
	end(version uint64, n int) error
	// abort is called instead of end when the run failed: it writes the
	// results held back, if any, and no summary.
	abort() error
}

// jsonSink writes each result as a JSON line as soon as it has it.
type jsonSink struct {
	enc     *json.Encoder
	offsets bool           // whether results have byte offsets (not with --sentences)
	in      *classifyInput // with --sentences, for the file's line of each sentence
}

// jsonFeature is one deciding feature in --json output, in weight order.
type jsonFeature struct {
	Name   string  `json:"name"`
	Weight float64 `json:"weight"`
}

func (j *jsonSink) add(s *claimsv1.SentenceResult, version uint64) error {
	line := map[string]any{
		"index": s.GetIndex(), "text": s.GetText(), "label": s.GetLabel(),
		"confidence": s.GetConfidence(), "model_version": version,
	}
	if j.offsets {
		line["start"], line["end"] = s.GetStart(), s.GetEnd()
	}
	if i := int(s.GetIndex()); !j.offsets && i < len(j.in.sents) {
		line["line"] = j.in.line(i) // blank lines are not sentences: index alone would not find it
	}
	if len(s.GetScores()) > 0 {
		scores := make(map[string]float64, len(s.GetScores()))
		for _, sc := range s.GetScores() {
			scores[sc.GetLabel()] = sc.GetProbability()
		}
		line["scores"] = scores
	}
	if len(s.GetFeatures()) > 0 {
		fs := make([]jsonFeature, len(s.GetFeatures()))
		for i, f := range s.GetFeatures() {
			fs[i] = jsonFeature{f.GetName(), f.GetWeight()}
		}
		line["features"] = fs
	}
	return j.enc.Encode(line)
}

func (j *jsonSink) end(uint64, int) error { return nil }

func (j *jsonSink) abort() error { return nil }

// maxSentences bounds the number of sentences Segment finds in text: a
// sentence ends at sentence punctuation or a line break, or at the end.
func maxSentences(text string) int {
	n := 1
	for i := 0; i < len(text); i++ {
		switch text[i] {
		case '.', '!', '?', '\n', '\r', '\v', '\f', 0x85, 0xA6, 0xA8, 0xA9: // the last bytes of U+0085, U+2026, U+2028, U+2029
			n++
		}
	}
	return n
}

// tableSink keeps the rows of the table, whose columns it aligns, until
// maxTableRows are held: it then writes them with the widths they need,
// widened to what later rows are expected to need (min), and writes each
// later row as it comes, padded to those widths. So a table of a few
// thousand rows is aligned as a whole, and a larger one is written as it
// arrives instead of being held (a file of 16 million short lines took
// 6.6 GB).
type tableSink struct {
	w      io.Writer
	t      table
	min    []int // the least widths, for rows not seen when widths are fixed
	widths []int // the columns' widths, once fixed
}

// maxTableRows is how many rows tableSink holds to align them.
const maxTableRows = 4096

// newTableSink returns a tableSink that writes to w. maxIndex bounds the
// sentence numbers to come, labels are the model's labels, as far as they
// are known, and explain says whether rows of feature weights come: they
// widen the columns once rows are written as they come.
func newTableSink(w io.Writer, maxIndex int, labels map[string]bool, explain bool) *tableSink {
	conf := len("CONF")
	if explain {
		conf = len("+10.00") // a first cue's weight may pass 10
	}
	t := &tableSink{w: w, min: []int{len(strconv.Itoa(maxIndex)), 0, conf}}
	for l := range labels {
		t.min[1] = max(t.min[1], displayWidth(l)) // at most MaxLabelLen bytes
	}
	t.t.add("#", "LABEL", "CONF", "SENTENCE")
	return t
}

func (t *tableSink) add(s *claimsv1.SentenceResult, _ uint64) error {
	t.t.add(strconv.Itoa(int(s.GetIndex())+1), s.GetLabel(), fmt.Sprintf("%.2f", s.GetConfidence()), ellipsize(s.GetText(), 100))
	for _, f := range s.GetFeatures() {
		t.t.add("", "", fmt.Sprintf("%+.2f", f.GetWeight()), "  "+f.GetName())
	}
	if len(t.t.rows) < maxTableRows {
		return nil
	}
	if t.widths == nil {
		t.widths = t.t.widths(t.min)
	}
	return t.flush()
}

// flush writes the rows held, with the fixed widths.
func (t *tableSink) flush() error {
	err := t.t.writeWidths(t.w, t.widths)
	clear(t.t.rows)
	t.t.rows = t.t.rows[:0]
	return err
}

func (t *tableSink) end(version uint64, n int) error {
	if err := t.write(); err != nil {
		return err
	}
	_, err := fmt.Fprintf(t.w, "\nmodel version %d, %s\n", version, countOf(int64(n), "sentence"))
	return err
}

// abort writes the rows held, if any, with the widths they need (or
// those fixed before).
func (t *tableSink) abort() error {
	if t.widths == nil && len(t.t.rows) == 1 {
		return nil // the header alone: no result came
	}
	return t.write()
}

// write writes the rows held, with the widths fixed before, or else those
// they need.
func (t *tableSink) write() error {
	if t.widths == nil {
		t.widths = t.t.widths(nil)
	}
	return t.flush()
}

// ellipsize shortens s to at most n runes for the table.
func ellipsize(s string, n int) string {
	r := []rune(strings.Join(strings.Fields(s), " "))
	if len(r) <= n {
		return string(r)
	}
	return string(r[:n-1]) + "…"
}
