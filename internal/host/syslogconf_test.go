package host

import (
	"slices"
	"strings"
	"testing"
)

func TestParseSyslogConf(t *testing.T) {
	tests := []struct {
		name         string
		conf         string
		wantFiles    []string
		wantIncludes []string
	}{
		{
			name: "classic syslog.conf",
			conf: "# comment /var/log/commented\n" +
				"*.info;mail.none;authpriv.none\t\t/var/log/messages\n" +
				"authpriv.*\t\t\t\t/var/log/secure\n" +
				"mail.*\t\t\t\t\t-/var/log/maillog\n" +
				"*.emerg\t\t\t\t\t*\n" +
				"*.err\t\t\t\t\t@loghost\n" +
				"daemon.*;mail.*;news.err\t\t|/dev/xconsole\n" +
				"kern.*\t\t\t\t\t/dev/console\n" +
				"*.emerg :omusrmsg:*\n" +
				"local7.*  root,operator\n",
			wantFiles: []string{"/var/log/messages", "/var/log/secure", "/var/log/maillog"},
		},
		{
			name: "rsyslog legacy and RainerScript",
			conf: "$ModLoad imuxsock\n" +
				"$IncludeConfig /etc/rsyslog.d/*.conf\n" +
				"$WorkDirectory /var/lib/rsyslog\n" +
				"include(file=\"/etc/rsyslog.extra\" mode=\"optional\")\n" +
				"*.*;auth,authpriv.none  -/var/log/syslog;RSYSLOG_TraditionalFileFormat\n" +
				"auth.* action(type=\"omfile\" File=\"/var/log/auth.log\")\n" +
				"action(type=\"omfile\"\n      file=\"/var/log/multi.log\"\n      template=\"t\")\n" +
				"action(type=\"omfwd\" target=\"10.0.0.1\")\n" +
				"# action(type=\"omfile\" file=\"/var/log/commented.log\")\n" +
				":programname, isequal, \"statd\" /var/log/statd.log\n" +
				"if $programname == 'httpd' then /var/log/httpd.log\n" +
				"*.* ?DynamicFile\n" +
				"*.* ~\n",
			wantFiles:    []string{"/var/log/auth.log", "/var/log/multi.log", "/var/log/syslog", "/var/log/statd.log", "/var/log/httpd.log"},
			wantIncludes: []string{"/etc/rsyslog.extra", "/etc/rsyslog.d/*.conf"},
		},
		{
			name:      "continuation line",
			conf:      "*.info;\\\n  mail.none /var/log/messages\n",
			wantFiles: []string{"/var/log/messages"},
		},
		{name: "empty", conf: ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := parseSyslogConf([]byte(tt.conf))
			if !slices.Equal(got.Files, tt.wantFiles) {
				t.Errorf("files %q, want %q", got.Files, tt.wantFiles)
			}
			if !slices.Equal(got.Includes, tt.wantIncludes) {
				t.Errorf("includes %q, want %q", got.Includes, tt.wantIncludes)
			}
		})
	}
}

func TestParseSyslogNGConf(t *testing.T) {
	conf := `destination d_mesg { file("/var/log/messages"); };
destination d_auth { file("/var/log/auth.log" owner(root)); };
# destination d_old { file("/var/log/old"); };
destination d_host { file("/var/log/hosts/$HOST.log"); };
destination d_net { udp("10.0.0.1" port(514)); };`
	want := []string{"/var/log/messages", "/var/log/auth.log"}
	if got := parseSyslogNGConf([]byte(conf)); !slices.Equal(got, want) {
		t.Errorf("got %q, want %q", got, want)
	}
}

func FuzzParseSyslogConf(f *testing.F) {
	f.Add([]byte("*.info;mail.none /var/log/messages\nmail.* -/var/log/maillog\n$IncludeConfig /etc/rsyslog.d/*.conf\n"))
	f.Add([]byte("action(type=\"omfile\" file=\"/var/log/x\")\ninclude(file=\"/etc/y\")\n"))
	f.Add([]byte("a \\\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		conf := parseSyslogConf(data)
		for _, f := range conf.Files {
			if !strings.HasPrefix(f, "/") || strings.HasPrefix(f, "/dev/") {
				t.Errorf("file %q is not a log file path", f)
			}
		}
		parseSyslogNGConf(data)
	})
}
