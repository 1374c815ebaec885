package cli

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// fakeRoot builds a system tree under a temporary directory: files maps paths (relative to the
// root) to contents, links maps paths to symlink targets.
func fakeRoot(t *testing.T, files, links map[string]string) string {
	t.Helper()
	root := t.TempDir()
	for p, content := range files {
		full := filepath.Join(root, p)
		if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(full, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	for p, target := range links {
		full := filepath.Join(root, p)
		if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.Symlink(target, full); err != nil {
			t.Fatal(err)
		}
	}
	return root
}

const procNetUDPHeader = "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode ref pointer drops\n"

func infectedFiles() map[string]string {
	statd, err := os.ReadFile("testdata/logs/messages")
	if err != nil {
		panic(err)
	}
	return map[string]string{
		"tmp/.uubugtraq":      "begin 644 .bugtraq.c\n",
		"tmp/.bugtraq.c":      "/* worm source */\n",
		"tmp/.bugtraq":        "\x7fELF",
		"proc/net/udp":        procNetUDPHeader + " 1234: 00000000:07D2 00000000:0000 07 00000000:00000000 00:00000000 00000000     0        0 12345 2 0000000000000000 0\n",
		"proc/net/tcp":        "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n",
		"proc/4242/comm":      ".bugtraq\n",
		"proc/4242/cmdline":   "./.bugtraq\x00192.0.2.1\x00",
		"var/lib/dpkg/status": "Package: openssl\nStatus: install ok installed\nVersion: 0.9.6d-1\n\n",
		"etc/syslog.conf":     "*.info;mail.none\t\t/var/log/messages\n",
		"var/log/messages":    string(statd),
	}
}

type checkDoc struct {
	Findings []struct {
		Title           string   `json:"title"`
		Category        string   `json:"category"`
		Advisories      []string `json:"advisories"`
		Artifact        string   `json:"artifact"`
		File            string   `json:"file"`
		Excerpt         string   `json:"excerpt"`
		Countermeasures []struct {
			Ja string `json:"ja"`
			En string `json:"en"`
		} `json:"countermeasures"`
	} `json:"findings"`
	Summary struct {
		Findings    int  `json:"findings"`
		Complete    bool `json:"complete"`
		NotExamined []struct {
			Area string `json:"area"`
		} `json:"not_examined"`
		LogFiles []string `json:"log_files"`
		LogLines int64    `json:"log_lines"`
	} `json:"summary"`
}

func checkJSON(t *testing.T, root string) (checkDoc, run) {
	t.Helper()
	r := keikai(t, "", "check", "--root", root, "--format", "json", "--tz", "UTC")
	var doc checkDoc
	if err := json.Unmarshal([]byte(r.stdout), &doc); err != nil {
		t.Fatalf("check output is not JSON (exit %d): %v\n%s\n%s", r.code, err, r.stdout, r.stderr)
	}
	return doc, r
}

func TestCheckInfectedRoot(t *testing.T) {
	root := fakeRoot(t, infectedFiles(), map[string]string{"proc/4242/exe": "/tmp/.bugtraq"})
	doc, r := checkJSON(t, root)
	if r.code != exitFindings {
		t.Fatalf("exit %d, want %d", r.code, exitFindings)
	}
	want := map[string]bool{
		"/tmp/.uubugtraq": false, "/tmp/.bugtraq.c": false, "/tmp/.bugtraq": false,
		"udp 0.0.0.0:2002": false, ".bugtraq": false, "openssl 0.9.6d-1": false, "statd": false,
	}
	for _, f := range doc.Findings {
		if len(f.Countermeasures) == 0 || f.Countermeasures[0].Ja == "" || f.Countermeasures[0].En == "" {
			t.Errorf("finding %q lacks countermeasures in Japanese and English", f.Title)
		}
		for k := range want {
			if strings.Contains(f.Artifact, k) || (k == "statd" && f.Category == "intrusion" && len(f.Advisories) > 0 && f.Advisories[0] == "JPCERT-E-INF-98-0001") {
				want[k] = true
			}
		}
	}
	for k, found := range want {
		if !found {
			t.Errorf("no finding for %s", k)
		}
	}
}

func TestCheckCleanRoot(t *testing.T) {
	root := fakeRoot(t, map[string]string{
		"tmp/.X11-unix/X0":    "",
		"proc/net/udp":        procNetUDPHeader + "  100: 00000000:0044 00000000:0000 07 00000000:00000000 00:00000000 00000000     0        0 999 2 0000000000000000 0\n",
		"proc/net/tcp":        "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n",
		"proc/1/comm":         "init\n",
		"proc/1/cmdline":      "/sbin/init\x00",
		"var/lib/dpkg/status": "Package: openssl\nStatus: install ok installed\nVersion: 3.0.11-1~deb12u2\n\n",
		"var/log/messages":    "Mar  1 10:00:00 host cron[1]: (root) CMD (run-parts /etc/cron.hourly)\n",
	}, nil)
	doc, r := checkJSON(t, root)
	if r.code != exitClean || len(doc.Findings) != 0 {
		t.Fatalf("clean root: exit %d with %d findings, want 0 and none: %+v", r.code, len(doc.Findings), doc.Findings)
	}
}

func TestCheckHostileRoots(t *testing.T) {
	tests := []struct {
		name  string
		links map[string]string
	}{
		{"worm path is a link to a secret", map[string]string{"tmp/.bugtraq": "/etc/shadow"}},
		{"symlink loop", map[string]string{"tmp/a": "b", "tmp/b": "a", "var/log": "/var/log"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			root := fakeRoot(t, map[string]string{"etc/hostname": "fake\n"}, tt.links)
			doc, r := checkJSON(t, root)
			if r.code == exitError {
				t.Fatalf("exit %d: %s", r.code, r.stderr)
			}
			for _, f := range doc.Findings {
				// A link named like a worm file is itself evidence; following it would not be.
				if strings.Contains(f.Artifact, "shadow") && !strings.Contains(f.Artifact, "/tmp/.bugtraq") {
					t.Errorf("a finding reached outside the root: %+v", f)
				}
			}
			if doc.Summary.Complete && len(doc.Summary.NotExamined) > 0 {
				t.Error("complete is true while some things were not examined")
			}
		})
	}
}

// TestCheckLogsStayInsideTheRoot points the root's /var/log out of the root, once at a directory
// holding an attack line with a unique marker and once at this machine's own /var/log. The marker
// must never show, and no log file outside the root may be read. The control case puts the same
// file inside a root, so the marker would show if the file were read.
func TestCheckLogsStayInsideTheRoot(t *testing.T) {
	marker := fmt.Sprintf("keikai-outside-the-root-%d", time.Now().UnixNano())
	attack := "Mar 13 12:34:56 outside statd[44]: attempt to create \"/var/statmon/sm//../../../../tmp/" + marker + " \x90\x90XbinXsh\"\n"
	outside := t.TempDir()
	if err := os.WriteFile(filepath.Join(outside, "messages"), []byte(attack), 0o644); err != nil {
		t.Fatal(err)
	}

	control := fakeRoot(t, map[string]string{"var/log/messages": attack}, nil)
	if doc, r := checkJSON(t, control); !strings.Contains(r.stdout, marker) || doc.Summary.LogLines != 1 {
		t.Fatalf("control: the marker line inside the root was not reported (log_lines %d):\n%s", doc.Summary.LogLines, r.stdout)
	}

	tests := []struct{ name, target string }{
		{"log directory points at a directory outside the root", outside},
		{"log directory points at this machine's /var/log", "/var/log"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			root := fakeRoot(t, map[string]string{"etc/hostname": "fake\n"}, map[string]string{"var/log": tt.target})
			doc, r := checkJSON(t, root)
			if r.code == exitError {
				t.Fatalf("exit %d: %s", r.code, r.stderr)
			}
			if strings.Contains(r.stdout, marker) {
				t.Errorf("the marker from outside the root appears in the output:\n%s", r.stdout)
			}
			// Paths are shown as on the checked system: /var/log/messages, never with the root
			// prefix, and never a path of this machine.
			for _, f := range doc.Summary.LogFiles {
				if !strings.HasPrefix(f, "/") || strings.HasPrefix(f, root) || strings.HasPrefix(f, outside) {
					t.Errorf("read a log file outside the root: %s", f)
				}
			}
			for _, f := range doc.Findings {
				if f.File != "" && (strings.HasPrefix(f.File, root) || strings.HasPrefix(f.File, outside)) {
					t.Errorf("a finding comes from a file outside the root: %s: %s", f.File, f.Excerpt)
				}
			}
			// The root holds no log at all, so any line read came from outside it.
			if doc.Summary.LogLines != 0 {
				t.Errorf("log_lines = %d, want 0: lines were read from outside the root", doc.Summary.LogLines)
			}
		})
	}
}

func TestCheckReportsWhatItCouldNotExamine(t *testing.T) {
	root := fakeRoot(t, map[string]string{"etc/hostname": "fake\n"}, nil)
	doc, _ := checkJSON(t, root)
	if doc.Summary.Complete {
		t.Fatal("a root without /proc was reported as completely examined")
	}
	areas := map[string]bool{}
	for _, g := range doc.Summary.NotExamined {
		areas[g.Area] = true
	}
	if !areas["sockets"] && !areas["processes"] {
		t.Errorf("missing /proc not listed among not_examined: %+v", doc.Summary.NotExamined)
	}
}

// TestCheckReportReadsAsTheCheckedSystem checks the text report a person reads: paths as on the
// checked system, a missing log that syslog.conf names under NOT EXAMINED, the update step (not
// the reinstall steps) for a vulnerable package, steps numbered once, in English and Japanese.
func TestCheckReportReadsAsTheCheckedSystem(t *testing.T) {
	files := infectedFiles()
	files["etc/syslog.conf"] = "*.info;mail.none\t\t/var/log/messages\nauth.*\t\t/var/log/secure\n"
	root := fakeRoot(t, files, nil)
	for _, lang := range []string{"en", "ja"} {
		r := keikai(t, "", "check", "--root", root, "--tz", "UTC", "--lang", lang)
		if r.code != exitFindings {
			t.Fatalf("%s: exit %d\n%s", lang, r.code, r.stderr)
		}
		report := strings.Replace(r.stdout, root, "ROOT", 1) // the "Checked ROOT" line names it once
		if strings.Contains(report, root) {
			t.Errorf("%s: a path is shown with the root prefix:\n%s", lang, r.stdout)
		}
		if !strings.Contains(report, "/var/log/messages:3") {
			t.Errorf("%s: the statd finding does not name /var/log/messages:3:\n%s", lang, report)
		}
		notExamined, reason := "NOT EXAMINED (1)", "/var/log/secure: named in /etc/syslog.conf but not found"
		if lang == "ja" {
			notExamined, reason = "未検査 (1 件)", "ログ       /var/log/secure: /etc/syslog.conf に記載されていますが見つかりません"
		}
		if !strings.Contains(report, notExamined) || !strings.Contains(report, reason) {
			t.Errorf("%s: the missing /var/log/secure is not listed as not examined:\n%s", lang, report)
		}
		if strings.Contains(report, "1. (1)") || strings.Contains(report, "1. （1）") {
			t.Errorf("%s: steps numbered twice:\n%s", lang, report)
		}
		// The package finding's block: from its title to the next blank line.
		title := "OpenSSL open to the Apache/mod_ssl (Slapper) worm"
		update, reinstall := "Update OpenSSL to version 0.9.6g", "reinstall"
		if lang == "ja" {
			title, update, reinstall = "ワームに対して脆弱な OpenSSL", "0.9.6g もしくはそれ以降に更新", "再インストール"
		}
		i := strings.Index(report, title)
		if i < 0 {
			t.Fatalf("%s: no package finding:\n%s", lang, report)
		}
		block, _, _ := strings.Cut(report[i:], "\n\n")
		if !strings.Contains(block, update) || strings.Contains(block, reinstall) {
			t.Errorf("%s: the vulnerable package does not get the update step alone:\n%s", lang, block)
		}
		if lang == "ja" && (strings.Contains(report, "[HIGH]") || strings.Contains(report, "artifact:")) {
			t.Errorf("Japanese report has English labels:\n%s", report)
		}
	}
}
