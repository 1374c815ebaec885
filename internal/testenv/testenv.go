// Package testenv decides what a test does when something it needs from the machine is missing:
// locally it skips with a message that says how to provide it; under CI (CI=true) it fails, since
// .ci/run installs everything and a skipped test there would hide a broken install step.
package testenv

import (
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// InCI reports whether the tests run under .ci/run.
func InCI() bool { return os.Getenv("CI") == "true" }

// Missing skips t locally and fails it under CI, saying what is missing and how to provide it.
func Missing(t testing.TB, what, how string) {
	t.Helper()
	if InCI() {
		t.Fatalf("%s is missing under CI (.ci/run must provide it): %s", what, how)
	}
	t.Skipf("skipped: %s is missing; %s", what, how)
}

// PostgresDSN returns the DSN of a PostgreSQL database the test may use (and empty), from
// KEIKAI_TEST_POSTGRES.
func PostgresDSN(t testing.TB) string {
	t.Helper()
	dsn := os.Getenv("KEIKAI_TEST_POSTGRES")
	if dsn == "" {
		Missing(t, "PostgreSQL", "set KEIKAI_TEST_POSTGRES=postgres://user@127.0.0.1:5432/db (see .ci/postgres.sh)")
	}
	return dsn
}

// Command returns the path of an external program the test drives (swaks, gpg, chromium, ...).
func Command(t testing.TB, name, pkg string) string {
	t.Helper()
	p, err := exec.LookPath(name)
	if err != nil {
		Missing(t, name, "install the Debian package "+pkg)
	}
	return p
}

// CSAFValidatorDir returns the folder of the npm package @secvisogram/csaf-validator-lib (the
// one holding its validate.js), from KEIKAI_CSAF_VALIDATOR_DIR, which .ci/run sets. The package
// is an ES module: a test runs node on a script that imports filepath.Join(dir, "validate.js")
// by its absolute path, so that node finds the package's own dependencies beside it.
func CSAFValidatorDir(t testing.TB) string {
	t.Helper()
	const how = "npm install --prefix DIR @secvisogram/csaf-validator-lib and set KEIKAI_CSAF_VALIDATOR_DIR=DIR/node_modules/@secvisogram/csaf-validator-lib (see .ci/run)"
	dir := os.Getenv("KEIKAI_CSAF_VALIDATOR_DIR")
	if dir == "" {
		Missing(t, "the CSAF validator", how)
	}
	if _, err := os.Stat(filepath.Join(dir, "validate.js")); err != nil {
		t.Fatalf("KEIKAI_CSAF_VALIDATOR_DIR=%s does not hold the CSAF validator: %v; %s", dir, err, how)
	}
	return dir
}

// NonRoot is for tests of permission handling, which mean nothing as root. As root they skip,
// except when KEIKAI_TEST_NONROOT=1 says that this run is the unprivileged one: then root is an
// error, so that CI cannot skip them silently.
func NonRoot(t testing.TB) {
	t.Helper()
	if os.Geteuid() != 0 {
		return
	}
	if os.Getenv("KEIKAI_TEST_NONROOT") == "1" {
		t.Fatal("KEIKAI_TEST_NONROOT=1 but the test runs as root")
	}
	t.Skip("skipped as root: permissions do not apply; .ci/run runs this test as an unprivileged user")
}
