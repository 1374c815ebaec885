package host

import (
	"context"
	"errors"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/keikai-project/keikai/internal/event"
)

// slapperTree is a 2002 Red Hat web server after Slapper.
func slapperTree() map[string]string {
	return map[string]string{
		"tmp/.uubugtraq":                 "begin 655 .bugtraq.c",
		"tmp/.bugtraq.c":                 "/* source */",
		"tmp/.bugtraq":                   "\x7fELF",
		"proc/net/udp":                   procNetHeader + "  7: 00000000:07D2 00000000:0000 07 00000000:00000000 00:00000000 00000000 48 0 12345 2 0 0\n",
		"proc/net/tcp":                   procNetHeader + "   0: 00000000:01BB 00000000:0000 0A 00000000:00000000 00:00000000 00000000 0 0 1 1 0 100 0 0 10 0\n",
		"proc/4242/comm":                 ".bugtraq\n",
		"proc/4242/cmdline":              "./.bugtraq\x00192.0.2.1\x00",
		"proc/4242/exe":                  "->/tmp/.bugtraq (deleted)",
		"var/log/rpmpkgs":                "openssl-0.9.6b-28.i386.rpm\nmod_ssl-2.8.5-4.i386.rpm\n",
		"usr/lib/libssl.so.0.9.6b":       "x",
		"usr/lib/libssl.so.2":            "->libssl.so.0.9.6b",
		"usr/include/openssl/opensslv.h": "#define OPENSSL_VERSION_TEXT \"OpenSSL 0.9.6b [engine] 9 Jul 2001\"\n",
		"etc/syslog.conf":                "*.info /var/log/messages\n",
		"var/log/messages":               "x",
	}
}

// Every field the engine treats as verbatim must appear literally in Raw, or the literal
// prefilter would skip events that match.
func TestEventsKeepVerbatimFieldsInRaw(t *testing.T) {
	c := collect(t, fakeRoot(t, slapperTree()), DefaultTargets())
	formats := map[event.Format]bool{}
	for _, e := range c.events {
		formats[e.Format] = true
		eachField(e, func(f event.Field, v []byte) {
			if f.IsVerbatim() && !strings.Contains(string(e.Raw), string(v)) {
				t.Errorf("%s event: %s %q not in Raw %q", e.Format, f, v, e.Raw)
			}
		})
	}
	for _, f := range []event.Format{event.FormatHostFile, event.FormatHostSocket, event.FormatHostProcess, event.FormatHostPackage} {
		if !formats[f] {
			t.Errorf("no %s events from the infected root", f)
		}
	}
}

// Collection and log discovery write nothing under the root.
func TestCollectIsReadOnly(t *testing.T) {
	root := fakeRoot(t, slapperTree())
	makeRPMDB(t, filepath.Join(root, "var/lib/rpm/rpmdb.sqlite"), opensslHeader())
	before := snapshot(t, root)
	collect(t, root, DefaultTargets())
	LogFiles(Options{Root: root}, nil)
	after := snapshot(t, root)
	for p, v := range after {
		if before[p] != v {
			t.Errorf("%s changed: %q -> %q", p, before[p], v)
		}
	}
	for p := range before {
		if _, ok := after[p]; !ok {
			t.Errorf("%s disappeared", p)
		}
	}
}

// Events own their memory: a later event must not change an earlier one.
func TestEventsOwnTheirMemory(t *testing.T) {
	c := collect(t, fakeRoot(t, slapperTree()), DefaultTargets())
	var snapshots []string
	for _, e := range c.events {
		snapshots = append(snapshots, describeEvent(e))
	}
	for i, e := range c.events {
		if got := describeEvent(e); got != snapshots[i] {
			t.Errorf("event %d changed after collection: %q -> %q", i, snapshots[i], got)
		}
	}
}

func describeEvent(e *event.Event) string {
	var b strings.Builder
	b.Write(e.Raw)
	eachField(e, func(f event.Field, v []byte) { b.WriteString("|" + f.String() + "=" + string(v)) })
	return b.String()
}

func TestCollectArguments(t *testing.T) {
	root := fakeRoot(t, map[string]string{"tmp/": ""})
	if err := Collect(context.Background(), Options{Root: root}, Targets{}, nil, nil); err == nil {
		t.Error("Collect with a nil emit should fail")
	}
	err := Collect(context.Background(), Options{Root: filepath.Join(root, "missing")}, Targets{}, func(Artifact) {}, nil)
	if err == nil || !strings.Contains(err.Error(), "cannot be examined") {
		t.Errorf("Collect on a missing root: %v", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	err = Collect(ctx, Options{Root: root}, DefaultTargets(), func(Artifact) {}, nil)
	if !errors.Is(err, context.Canceled) {
		t.Errorf("Collect with a cancelled context: %v", err)
	}
}

func BenchmarkCollectFakeRoot(b *testing.B) {
	root := b.TempDir()
	for rel, content := range slapperTree() {
		writeTree(b, root, rel, content)
	}
	for i := 0; i < 200; i++ {
		writeTree(b, root, "tmp/file"+strconv.Itoa(i), "x")
		writeTree(b, root, "proc/"+strconv.Itoa(1000+i)+"/comm", "bash\n")
		writeTree(b, root, "proc/"+strconv.Itoa(1000+i)+"/cmdline", "-bash\x00")
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		n := 0
		if err := Collect(context.Background(), Options{Root: root}, DefaultTargets(), func(Artifact) { n++ }, nil); err != nil {
			b.Fatal(err)
		}
		LogFiles(Options{Root: root}, nil)
	}
}
