package host

import (
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/keikai-project/keikai/internal/event"
	"github.com/keikai-project/keikai/internal/sigma"
	"go.yaml.in/yaml/v3"
)

// hostRulesDir holds the bundled host-artifact rules, whose samples this package checks.
const hostRulesDir = "../../rules/host"

func loadHostRules(t *testing.T) []*sigma.Rule {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(hostRulesDir, "*.yml"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no host rules in %s: %v", hostRulesDir, err)
	}
	var out []*sigma.Rule
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		rules, err := sigma.ParseFile(f, data)
		if err != nil {
			t.Fatalf("%v", err)
		}
		out = append(out, rules...)
	}
	return out
}

var serviceFormats = map[string]event.Format{
	"file":    event.FormatHostFile,
	"socket":  event.FormatHostSocket,
	"process": event.FormatHostProcess,
	"package": event.FormatHostPackage,
}

// sampleEvent builds the event a collector would emit for a rule's host sample.
func sampleEvent(t *testing.T, r *sigma.Rule, s sigma.Sample) *event.Event {
	t.Helper()
	format, ok := serviceFormats[r.Logsource.Service]
	if !ok || r.Logsource.Product != "host" {
		t.Fatalf("%s: logsource %+v is not a host artifact", r.File, r.Logsource)
	}
	if len(s.Fields) == 0 {
		t.Fatalf("%s:%d: a host rule's sample must be a field mapping", r.File, s.Line)
	}
	var raw []string // every value literally in Raw, as the collectors guarantee
	for _, v := range s.Fields {
		raw = append(raw, v)
	}
	sort.Strings(raw)
	e := newEvent(format, strings.Join(raw, " "))
	for f, v := range s.Fields {
		setValue(e, f, v)
	}
	return e
}

func TestHostRuleSamples(t *testing.T) {
	for _, r := range loadHostRules(t) {
		t.Run(filepath.Base(r.File), func(t *testing.T) {
			if len(r.Samples.Match) == 0 || len(r.Samples.NoMatch) == 0 {
				t.Errorf("rule %q needs match and nomatch samples", r.Title)
			}
			for _, s := range r.Samples.Match {
				if !r.Match(sampleEvent(t, r, s)) {
					t.Errorf("line %d: sample %v does not match", s.Line, s.Fields)
				}
			}
			for _, s := range r.Samples.NoMatch {
				if r.Match(sampleEvent(t, r, s)) {
					t.Errorf("line %d: nomatch sample %v matches", s.Line, s.Fields)
				}
			}
		})
	}
}

// TestDefaultTargetsCoverRules keeps DefaultTargets in step with the TargetFilename values that
// the host rules' detections name, both ways.
func TestDefaultTargetsCoverRules(t *testing.T) {
	files, _ := filepath.Glob(filepath.Join(hostRulesDir, "*.yml"))
	var named []string
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		var doc struct {
			Detection map[string]yaml.Node `yaml:"detection"`
		}
		if err := yaml.Unmarshal(data, &doc); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		for _, sel := range doc.Detection {
			named = append(named, targetFilenames(&sel)...)
		}
	}
	if len(named) == 0 {
		t.Fatal("no TargetFilename in the host rules")
	}
	defaults := DefaultTargets()
	for _, p := range named {
		if strings.ContainsAny(p, "*?") {
			t.Errorf("rule value %q is a pattern; DefaultTargets can only hold exact paths (list its directory in Dirs)", p)
			continue
		}
		if !slices.Contains(defaults.Paths, p) {
			t.Errorf("rules name %s but DefaultTargets().Paths lacks it", p)
		}
	}
	for _, p := range defaults.Paths {
		if !slices.Contains(named, p) {
			t.Errorf("DefaultTargets().Paths has %s, which no host rule names", p)
		}
	}
}

// targetFilenames returns the values of TargetFilename keys (with any modifiers) in a selection.
func targetFilenames(n *yaml.Node) []string {
	var out []string
	switch n.Kind {
	case yaml.MappingNode:
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, v := n.Content[i], n.Content[i+1]
			if strings.HasPrefix(k.Value, "TargetFilename") {
				out = append(out, scalars(v)...)
			} else {
				out = append(out, targetFilenames(v)...)
			}
		}
	case yaml.SequenceNode:
		for _, c := range n.Content {
			out = append(out, targetFilenames(c)...)
		}
	}
	return out
}

func scalars(n *yaml.Node) []string {
	if n.Kind == yaml.ScalarNode {
		return []string{n.Value}
	}
	var out []string
	for _, c := range n.Content {
		out = append(out, scalars(c)...)
	}
	return out
}

// End to end: an infected root yields a finding from every Slapper rule, a clean root none.
func TestHostRulesOnCollectedEvents(t *testing.T) {
	rules := loadHostRules(t)
	findings := func(root string) map[string]int {
		got := make(map[string]int)
		for _, e := range collect(t, root, DefaultTargets()).events {
			for _, r := range rules {
				if r.Match(e) {
					got[r.Name]++
				}
			}
		}
		return got
	}
	tree := slapperTree()
	tree["proc/412/comm"] = "rpc.statd\n"
	tree["proc/412/cmdline"] = "/sbin/rpc.statd\x00"
	tree["var/lib/dpkg/status"] = "Package: nfs-common\nStatus: install ok installed\nVersion: 1:1.0-1\n"
	infected := findings(fakeRoot(t, tree))
	for _, name := range []string{"host_slapper_files", "host_slapper_process", "host_slapper_udp_socket",
		"host_openssl_slapper_vulnerable", "host_statd_running", "host_statd_installed"} {
		if infected[name] == 0 {
			t.Errorf("infected root: no finding from %s (findings %v)", name, infected)
		}
	}
	if infected["host_slapper_files"] != 3 {
		t.Errorf("infected root: %d Slapper file findings, want 3", infected["host_slapper_files"])
	}
	clean := findings(fakeRoot(t, map[string]string{
		"tmp/.X11-unix/":      "",
		"proc/net/udp":        procNetHeader + "  1: 00000000:0035 00000000:0000 07 00000000:00000000 00:00000000 00000000 0 0 1 2 0 0\n",
		"proc/1/comm":         "init\n",
		"proc/1/cmdline":      "/sbin/init\x00",
		"var/lib/dpkg/status": "Package: openssl\nStatus: install ok installed\nVersion: 0.9.6g-1\n",
	}))
	if len(clean) != 0 {
		t.Errorf("clean root: findings %v", clean)
	}
}
