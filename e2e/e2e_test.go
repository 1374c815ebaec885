package e2e

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/rogpeppe/go-internal/testscript"
)

// binDir holds the keikai binary built for this run.
var binDir string

func TestMain(m *testing.M) {
	os.Exit(buildAndRun(m))
}

func buildAndRun(m *testing.M) int {
	dir, err := os.MkdirTemp("", "keikai-e2e-")
	if err != nil {
		fmt.Fprintln(os.Stderr, "e2e:", err)
		return 1
	}
	defer os.RemoveAll(dir)
	// go test puts its own toolchain first on PATH, so this builds with the Go under test.
	build := exec.Command("go", "build", "-o", filepath.Join(dir, "keikai"), "github.com/keikai-project/keikai/cmd/keikai")
	if out, err := build.CombinedOutput(); err != nil {
		fmt.Fprintf(os.Stderr, "e2e: building keikai: %v\n%s", err, out)
		return 1
	}
	binDir = dir
	return m.Run()
}

func TestScripts(t *testing.T) {
	testscript.Run(t, testscript.Params{
		Dir:                 filepath.Join("testdata", "script"),
		RequireExplicitExec: true,
		RequireUniqueNames:  true,
		Setup: func(env *testscript.Env) error {
			env.Setenv("PATH", binDir+string(os.PathListSeparator)+env.Getenv("PATH"))
			env.Setenv("LANG", "C")
			env.Setenv("TZ", "UTC")
			return nil
		},
		Cmds: map[string]func(ts *testscript.TestScript, neg bool, args []string){
			"exits":    cmdExits,
			"unescape": cmdUnescape,
			"json":     cmdJSON,
			"ndjson":   cmdNDJSON,
		},
	})
}

func cmdExits(ts *testscript.TestScript, neg bool, args []string) {
	if neg {
		ts.Fatalf("'! exits' is not supported: name the exit code")
	}
	if len(args) < 2 {
		ts.Fatalf("usage: exits N PROGRAM [ARGS...]")
	}
	want, err := strconv.Atoi(args[0])
	if err != nil {
		ts.Fatalf("exits: %q is not an exit code", args[0])
	}
	got := 0
	if err := ts.Exec(args[1], args[2:]...); err != nil {
		var exit *exec.ExitError
		if !errors.As(err, &exit) {
			ts.Fatalf("exits: %v", err)
		}
		got = exit.ExitCode()
	}
	if got != want {
		ts.Fatalf("%s exited with %d, want %d", args[1], got, want)
	}
}

func cmdUnescape(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 2 {
		ts.Fatalf("usage: unescape IN OUT")
	}
	in := ts.ReadFile(args[0])
	var out []byte
	for i := 0; i < len(in); i++ {
		if in[i] != '\\' || i+1 == len(in) {
			out = append(out, in[i])
			continue
		}
		switch {
		case in[i+1] == '\\':
			out = append(out, '\\')
			i++
		case in[i+1] == 'x' && i+3 < len(in):
			b, err := strconv.ParseUint(in[i+2:i+4], 16, 8)
			if err != nil {
				ts.Fatalf("unescape: %s: bad escape %q", args[0], in[i:i+4])
			}
			out = append(out, byte(b))
			i += 3
		default:
			ts.Fatalf("unescape: %s: unknown escape %q (use \\xNN or \\\\)", args[0], in[i:i+2])
		}
	}
	ts.Check(os.WriteFile(ts.MkAbs(args[1]), out, 0o644))
}

func cmdJSON(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 1 {
		ts.Fatalf("usage: json FILE")
	}
	dec := json.NewDecoder(strings.NewReader(ts.ReadFile(args[0])))
	var v any
	if err := dec.Decode(&v); err != nil {
		ts.Fatalf("%s is not JSON: %v", args[0], err)
	}
	if dec.More() {
		ts.Fatalf("%s holds more than one JSON value", args[0])
	}
}

func cmdNDJSON(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 1 {
		ts.Fatalf("usage: ndjson FILE")
	}
	sc := bufio.NewScanner(strings.NewReader(ts.ReadFile(args[0])))
	sc.Buffer(nil, 16<<20)
	n := 0
	for sc.Scan() {
		n++
		if !json.Valid(bytes.TrimSpace(sc.Bytes())) {
			ts.Fatalf("%s line %d is not JSON: %s", args[0], n, sc.Text())
		}
	}
	ts.Check(sc.Err())
	if n == 0 {
		ts.Fatalf("%s holds no JSON line", args[0])
	}
}
