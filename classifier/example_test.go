package classifier_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/claimsvc/claims/classifier"
)

// words is a minimal TokenAppender for the examples; the service uses
// *classifier.Tokenizer with the project's tokenizer.json.
type words struct{}

func (words) AppendTokens(dst []string, s string) []string {
	return append(dst, strings.Fields(strings.ToLower(strings.Trim(s, ".")))...)
}

func training() []classifier.Example {
	return []classifier.Example{
		{Text: "The rebels were blamed for the bombing.", Label: "attribution"},
		{Text: "The group claimed responsibility for the attack.", Label: "attribution"},
		{Text: "The ministry denied any involvement.", Label: "denial"},
		{Text: "Officials rejected the accusation as absurd.", Label: "denial"},
		{Text: "Three people were injured in the blast.", Label: "other"},
		{Text: "The airport reopened on Monday.", Label: "other"},
	}
}

func ExampleSegment() {
	text := "Blast Hits Kabul Market\nThe U.S. embassy said at 6 p.m. Officials later denied it. \"We are ready,\" he said."
	for _, s := range classifier.Segment(text) {
		fmt.Printf("%d-%d %s\n", s.Start, s.End, s.Text)
	}
	// Output:
	// 0-23 Blast Hits Kabul Market
	// 24-55 The U.S. embassy said at 6 p.m.
	// 56-82 Officials later denied it.
	// 83-107 "We are ready," he said.
}

func ExampleClassifier_Classify() {
	c := classifier.New(words{})
	if _, err := c.Replace(context.Background(), training()); err != nil {
		fmt.Println(err)
		return
	}
	p, err := c.Classify("The government denied any involvement in the attack.")
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(p.Label)
	// Output: denial
}

func ExampleClassifier_ClassifyText() {
	c := classifier.New(words{})
	if _, err := c.Replace(context.Background(), training()); err != nil {
		fmt.Println(err)
		return
	}
	res, err := c.ClassifyText(context.Background(), "The group claimed the attack. Two people were injured.", 0)
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, s := range res.Sentences {
		fmt.Printf("%s: %s\n", s.Label, s.Text)
	}
	// Output:
	// attribution: The group claimed the attack.
	// other: Two people were injured.
}

func ExampleClassifier_Learn() {
	c := classifier.New(words{})
	if _, err := c.Replace(context.Background(), training()); err != nil {
		fmt.Println(err)
		return
	}
	st, err := c.Learn(context.Background(), []classifier.Example{{Text: "Police blamed a local cell.", Label: " Attribution "}}, false)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(st.Info.Version, st.Info.Counts["attribution"])
	_, err = c.Learn(context.Background(), []classifier.Example{{Text: "It was a hoax.", Label: "rumour"}}, false)
	fmt.Println(err)
	// Output:
	// 2 3
	// examples[0].label: label is not known to the model: "rumour"
}

func ExampleClassifier_Forget() {
	c := classifier.New(words{})
	if _, err := c.Replace(context.Background(), training()); err != nil {
		fmt.Println(err)
		return
	}
	ex := classifier.Example{Text: "The militia denied it.", Label: "denial"}
	if _, err := c.Learn(context.Background(), []classifier.Example{ex}, false); err != nil {
		fmt.Println(err)
		return
	}
	st, err := c.Forget(context.Background(), []classifier.Example{ex})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(st.Info.Counts["denial"])
	// What was never learned (or is forgotten already) cannot be forgotten.
	_, err = c.Forget(context.Background(), []classifier.Example{ex})
	fmt.Println(err)
	// Output:
	// 2
	// examples[0].text: example was not learned
}

func ExampleClassifier_Save() {
	c := classifier.New(words{})
	if _, err := c.Replace(context.Background(), training()); err != nil {
		fmt.Println(err)
		return
	}
	var buf bytes.Buffer
	if err := c.Save(&buf); err != nil {
		fmt.Println(err)
		return
	}
	loaded, err := classifier.Load(&buf, words{})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(loaded.Info().Examples, loaded.Info().ContentHash == c.Info().ContentHash)
	// Output: 6 true
}

func ExampleClassifier_Evaluate() {
	c := classifier.New(words{})
	if _, err := c.Replace(context.Background(), training()); err != nil {
		fmt.Println(err)
		return
	}
	m, err := c.Evaluate(context.Background(), []classifier.Example{
		{Text: "They denied the accusation.", Label: "denial"},
		{Text: "The rebels were blamed.", Label: "attribution"},
		{Text: "The market reopened.", Label: "other"},
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("accuracy %.2f, macro-F1 %.2f\n", m.Accuracy, m.MacroF1)
	// Output: accuracy 1.00, macro-F1 1.00
}

func ExampleClassifier_Explain() {
	c := classifier.New(words{})
	if _, err := c.Replace(context.Background(), training()); err != nil {
		fmt.Println(err)
		return
	}
	p, err := c.Explain("The ministry denied the accusation.", 2)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(p.Label, len(p.Features), p.Features[0].Weight > 0)
	// Output: denial 2 true
}

func ExampleClassifier_ClassifyBatch() {
	c := classifier.New(words{})
	if _, err := c.Replace(context.Background(), training()); err != nil {
		fmt.Println(err)
		return
	}
	res, err := c.ClassifyBatch(context.Background(), []string{"The group claimed the attack.", "The airport reopened."}, 0)
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, s := range res.Sentences {
		fmt.Printf("%s: %s\n", s.Label, s.Text)
	}
	_, err = c.ClassifyBatch(context.Background(), []string{"Fine.", " "}, 0)
	fmt.Println(err)
	// Output:
	// attribution: The group claimed the attack.
	// other: The airport reopened.
	// sentences[1]: text is empty
}

func ExampleCrossValidate() {
	exs := append(training(), []classifier.Example{
		{Text: "The rebels claimed the bombing.", Label: "attribution"},
		{Text: "The ministry rejected the accusation.", Label: "denial"},
		{Text: "The market reopened on Monday.", Label: "other"},
	}...)
	m, err := classifier.CrossValidate(exs, 3, 1, func() *classifier.Classifier { return classifier.New(words{}) })
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(m.Examples, len(m.Labels))
	// Output: 9 3
}

func ExampleReadExamples() {
	in := `{"text": "The ministry denied it.", "label": "denial"}
{"text": "Three people were hurt.", "label": "other", "doc": "a1"}
`
	exs, err := classifier.ReadExamples(strings.NewReader(in))
	fmt.Println(len(exs), exs[0].Label, err)
	_, err = classifier.ReadExamples(strings.NewReader(`{"Text": "x", "label": "other"}`))
	fmt.Println(err)
	// Output:
	// 2 denial <nil>
	// malformed example line: line 1: member "Text" is not "text" (member names are case-sensitive)
}

func ExampleNewTokenizer() {
	// A tokenizer.json in the Hugging Face format; the service ships
	// seeds/tokenizer.json and takes another with --tokenizer.
	const spec = `{
  "normalizer": {"type": "Lowercase"},
  "pre_tokenizer": {"type": "BertPreTokenizer"},
  "model": {"type": "WordPiece", "unk_token": "[UNK]", "continuing_subword_prefix": "##",
    "max_input_chars_per_word": 100,
    "vocab": {"[UNK]": 0, "the": 1, "army": 2, "denied": 3, "it": 4, ".": 5, "ky": 6, "##iv": 7}}
}`
	tok, err := classifier.NewTokenizer(strings.NewReader(spec))
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("%q\n", tok.Tokens("The army denied it."))
	fmt.Printf("%q\n", tok.Tokens("Kyiv denied it!"))
	// Output:
	// ["the" "army" "denied" "it" "."]
	// ["ky" "##iv" "denied" "it" "[UNK]"]
}

func ExampleClassifier_Reload() {
	trainer := classifier.New(words{})
	if _, err := trainer.Replace(context.Background(), training()); err != nil {
		fmt.Println(err)
		return
	}
	var saved bytes.Buffer
	if err := trainer.Save(&saved); err != nil {
		fmt.Println(err)
		return
	}
	// A classifier serving an older model takes the new one whole.
	server := classifier.New(words{})
	if err := server.Reload(&saved); err != nil {
		fmt.Println(err)
		return
	}
	p, err := server.Classify("The ministry denied the report.")
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(server.Info().Version == trainer.Info().Version, p.Label)
	// A damaged file leaves it as it was.
	err = server.Reload(strings.NewReader("not a model"))
	fmt.Println(errors.Is(err, classifier.ErrBadModel), server.Info().ContentHash == trainer.Info().ContentHash)
	// Output:
	// true denial
	// true true
}

func ExampleCalibration() {
	// Ten predictions at confidence 0.9, of which seven were right, and
	// ten at 0.6, of which six were.
	var c classifier.Calibration
	for i := range 10 {
		c.Add(0.9, i < 7)
		c.Add(0.6, i < 6)
	}
	for _, b := range c.Bins {
		if b.Examples > 0 {
			fmt.Printf("%.1f-%.1f: %d predictions, accuracy %.2f, mean confidence %.2f\n", b.Low, b.High, b.Examples, b.Accuracy(), b.MeanConfidence())
		}
	}
	fmt.Printf("calibration error %.2f\n", c.Error())
	// Output:
	// 0.6-0.7: 10 predictions, accuracy 0.60, mean confidence 0.60
	// 0.9-1.0: 10 predictions, accuracy 0.70, mean confidence 0.90
	// calibration error 0.10
}
