// Package e2e holds keikai's end-to-end tests: scripts that drive the real keikai binary as a
// person or another program would, with its exit codes, standard output and standard error.
// 'go test ./e2e' builds cmd/keikai once (TestMain) and runs every script in testdata/script
// with that binary first on PATH; the scripts are txtar files for
// github.com/rogpeppe/go-internal/testscript (see its documentation for the built-in commands:
// exec, stdout, stderr, cmp, env, cd, ...).
//
// To add a test, add testdata/script/NAME.txtar: the commands first, then the files it needs
// ("-- path --" sections, created under $WORK before it runs). Run one script with
// 'go test ./e2e -run TestScripts/NAME'. Scripts run in parallel and each has its own $WORK,
// so a script that starts a server must pick its own port (listen on 127.0.0.1:0 and print the
// address) and stop it (testscript kills background commands started with '&' at the end).
//
// Besides testscript's built-ins, these commands are available:
//
//	exits N PROGRAM [ARGS...]  run PROGRAM like exec; fail unless its exit code is N, which
//	                           tells keikai's "findings" (1) from "error" (2)
//	unescape IN OUT            copy IN to OUT, turning \xNN into the byte NN and \\ into \,
//	                           so that a script can carry the NUL and 0x80-0xff bytes of
//	                           hostile log lines in readable text
//	json FILE                  fail unless FILE (or "stdout", "stderr") is one valid JSON value
//	ndjson FILE                fail unless every line of FILE is a valid JSON value
//
// The environment is fixed: LANG=C and TZ=UTC, so that output does not depend on the machine;
// a script sets LANG itself to test another language. CI (.ci/run) runs these scripts as part of
// 'go test ./...'.
package e2e
