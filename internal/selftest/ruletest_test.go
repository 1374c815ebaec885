package selftest

import (
	"testing"

	"github.com/keikai-project/keikai/internal/engine"
	"github.com/keikai-project/keikai/internal/sigma"
)

const doc = `title: phf
logsource: {category: webserver}
detection:
  sel:
    UrlPath|endswith: /phf
  condition: sel
samples:
  match:
    - '198.51.100.86 - - [22/Apr/2004:11:57:26 -0400] "GET /cgi-bin/phf?Qalias=x HTTP/1.0" 404 287 "-" "-"'
  nomatch:
    - '198.51.100.86 - - [22/Apr/2004:11:57:26 -0400] "GET /index.html HTTP/1.0" 200 287 "-" "-"'
    # Wrong on purpose: this is a phf request, so the runner must report the sample as failed.
    - '198.51.100.86 - - [22/Apr/2004:11:57:26 -0400] "GET /cgi-bin/%70hf HTTP/1.0" 404 287 "-" "-"'
`

func TestRunReportsEachSample(t *testing.T) {
	rules, err := sigma.ParseFile("phf.yml", []byte(doc))
	if err != nil {
		t.Fatal(err)
	}
	eng, err := engine.New(&sigma.Set{Rules: rules})
	if err != nil {
		t.Fatal(err)
	}
	results := Run(eng)
	if len(results) != 3 {
		t.Fatalf("%d results, want 3", len(results))
	}
	passed := []bool{results[0].Passed(), results[1].Passed(), results[2].Passed()}
	if !passed[0] || !passed[1] || passed[2] {
		t.Fatalf("passed = %v, want [true true false]: the percent-encoded phf request must fail its nomatch sample", passed)
	}
	if len(Missing(eng)) != 0 {
		t.Errorf("Missing reports a rule that has both kinds of samples")
	}
}
