package main

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"runtime/pprof"
	"time"

	"github.com/claimsvc/claims/classifier"
	"github.com/claimsvc/claims/seeds"
)

func main() {
	prof := flag.String("cpuprofile", "", "")
	n := flag.Int("n", 1, "")
	flag.Parse()
	t0 := time.Now()
	tok, err := classifier.NewTokenizer(bytes.NewReader(seeds.Tokenizer()))
	if err != nil {
		panic(err)
	}
	t1 := time.Now()
	corpus, _ := seeds.Corpus()
	t2 := time.Now()
	if *prof != "" {
		f, _ := os.Create(*prof)
		pprof.StartCPUProfile(f)
		defer pprof.StopCPUProfile()
	}
	for i := 0; i < *n; i++ {
		tk := tok
		if i > 0 {
			tk, _ = classifier.NewTokenizer(bytes.NewReader(seeds.Tokenizer()))
		}
		m := classifier.New(tk)
		ts := time.Now()
		if _, err := m.Replace(corpus); err != nil {
			panic(err)
		}
		fmt.Println("replace", time.Since(ts))
		ts = time.Now()
		if _, err := m.Replace(corpus); err != nil {
			panic(err)
		}
		fmt.Println("replace warm", time.Since(ts))
	}
	fmt.Println("tok", t1.Sub(t0), "corpus", t2.Sub(t1), len(corpus))
}
