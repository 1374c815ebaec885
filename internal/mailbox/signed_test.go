package mailbox

import (
	"bytes"
	"context"
	"io"
	"mime"
	"mime/multipart"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/keikai-project/keikai/internal/mail"
	"github.com/keikai-project/keikai/internal/sign"
	"github.com/keikai-project/keikai/internal/testenv"
)

// gpgVerify checks a PGP/MIME message (RFC 3156) as a mail client does: the first part's bytes,
// line ends made CRLF, against the detached signature of the second, with GnuPG.
func gpgVerify(t *testing.T, gpg, home string, msg []byte) error {
	t.Helper()
	msg = bytes.ReplaceAll(bytes.ReplaceAll(msg, []byte("\r\n"), []byte("\n")), []byte("\n"), []byte("\r\n"))
	hdrEnd := bytes.Index(msg, []byte("\r\n\r\n"))
	var ct string
	for _, line := range strings.Split(strings.ReplaceAll(string(msg[:hdrEnd]), "\r\n ", " "), "\r\n") {
		if name, v, ok := strings.Cut(line, ":"); ok && strings.EqualFold(name, "Content-Type") {
			ct = strings.TrimSpace(v)
		}
	}
	_, params, err := mime.ParseMediaType(ct)
	if err != nil {
		t.Fatalf("Content-Type %q: %v", ct, err)
	}
	body := msg[hdrEnd+4:]
	start := bytes.Index(body, []byte("--"+params["boundary"]+"\r\n")) + len(params["boundary"]) + 4
	end := start + bytes.Index(body[start:], []byte("\r\n--"+params["boundary"]))
	mr := multipart.NewReader(bytes.NewReader(body), params["boundary"])
	mr.NextPart()
	sigPart, err := mr.NextPart()
	if err != nil {
		t.Fatal(err)
	}
	sig, _ := io.ReadAll(sigPart)
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "part"), body[start:end], 0o600)
	os.WriteFile(filepath.Join(dir, "part.asc"), sig, 0o600)
	out, err := exec.Command(gpg, "--homedir", home, "--batch", "--no-tty", "--verify", filepath.Join(dir, "part.asc"), filepath.Join(dir, "part")).CombinedOutput()
	if err != nil {
		return &gpgError{err, string(out)}
	}
	return nil
}

type gpgError struct {
	err error
	out string
}

func (e *gpgError) Error() string { return e.err.Error() + ": " + e.out }

// mboxWrite stores messages as a Unix mailer does (mboxo): LF line ends, a "From " separator,
// and every body line that starts with "From " written as ">From ".
func mboxWrite(msgs ...[]byte) []byte {
	var b bytes.Buffer
	for _, m := range msgs {
		b.WriteString("From info@csirt.example Tue Dec  1 09:00:00 2026\n")
		for _, line := range strings.Split(strings.ReplaceAll(string(m), "\r\n", "\n"), "\n") {
			if strings.HasPrefix(line, "From ") {
				b.WriteString(">")
			}
			b.WriteString(line + "\n")
		}
	}
	return b.Bytes()
}

// TestSignedForwardThroughMbox: a PGP/MIME signed forward whose text has lines starting "From "
// still verifies with gpg after it was stored in an mbox (From-munged, LF line ends) and read
// back by keikai's mbox reader: keikai writes such lines as "=46rom" inside the signed part.
// A relay that rewraps long lines or re-encodes the text changes the signed bytes, and the
// signature is expected to fail then (RFC 3156 5 asks for 7-bit, unchanged parts; no signature
// survives a rewrite); the test checks that gpg does say so.
func TestSignedForwardThroughMbox(t *testing.T) {
	gpg := testenv.Command(t, "gpg", "gnupg")
	home := t.TempDir()
	t.Cleanup(func() { exec.Command("gpgconf", "--homedir", home, "--kill", "gpg-agent").Run() })
	now := time.Date(2026, 12, 1, 9, 0, 0, 0, time.FixedZone("JST", 9*3600))
	armored, signer, err := sign.Generate("keikai CSIRT", "info@csirt.example", []byte("pw"), now)
	if err != nil {
		t.Fatal(err)
	}
	pub, err := sign.PublicFromPrivate(armored)
	if err != nil {
		t.Fatal(err)
	}
	pubFile := filepath.Join(t.TempDir(), "pub.asc")
	os.WriteFile(pubFile, pub, 0o600)
	if out, err := exec.Command(gpg, "--homedir", home, "--batch", "--no-tty", "--import", pubFile).CombinedOutput(); err != nil {
		t.Fatalf("gpg --import: %v\n%s", err, out)
	}
	body := "貴組織のネットワークからのアクセスについてご連絡いたします。\n" +
		"From 203.0.113.5 we saw SSH attempts:\n" +
		"From: a quoted header line\n" +
		">From an already quoted line\n" +
		"Dec  1 08:59:59 host sshd[123]: Failed password for root from 203.0.113.5 port 4242 ssh2 " + strings.Repeat("x", 80) + "\n"
	msg, _, err := mail.Compose(mail.Outgoing{From: "CSIRT <info@csirt.example>", To: []string{"abuse@site.example"}, Subject: "アクセスについて",
		Tracking: "KK-2026-000123", Lang: "ja", Body: body, Date: now}, signer)
	if err != nil {
		t.Fatal(err)
	}
	if err := gpgVerify(t, gpg, home, msg); err != nil {
		t.Fatalf("the forward as sent does not verify: %v", err)
	}

	rec := &recorder{}
	if _, err := ImportMbox(context.Background(), bytes.NewReader(mboxWrite([]byte("From: x@y\r\nSubject: before\r\n\r\nFrom here\r\n"), msg)), rec, Options{}); err != nil {
		t.Fatal(err)
	}
	if len(rec.subs) != 2 {
		t.Fatalf("%d messages read back from the mbox", len(rec.subs))
	}
	if got := bytes.ReplaceAll(rec.subs[1].Raw, []byte("\n"), []byte("\r\n")); !bytes.Equal(got, msg) {
		t.Errorf("the mbox changed the forward:\n%q", got)
	}
	if err := gpgVerify(t, gpg, home, rec.subs[1].Raw); err != nil {
		t.Errorf("the forward read back from an mbox does not verify: %v", err)
	}

	// A relay that rewraps the text (quoted-printable soft breaks moved to 60 columns) breaks
	// the signature, as it must.
	rewrapped := bytes.ReplaceAll(msg, []byte("=\r\n"), nil)
	rewrapped = bytes.Replace(rewrapped, []byte("Failed password"), []byte("Failed=\r\n password"), 1)
	if bytes.Equal(rewrapped, msg) {
		t.Fatal("the rewrap changed nothing")
	}
	if err := gpgVerify(t, gpg, home, rewrapped); err == nil {
		t.Error("gpg accepted a forward whose lines a relay rewrapped")
	}
}
