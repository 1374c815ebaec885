package cli

import (
	"bufio"
	"fmt"
	"io"

	"github.com/keikai-project/keikai/internal/finding"
	"github.com/keikai-project/keikai/internal/input"
	"github.com/keikai-project/keikai/internal/output"
)

// findingSink carries a command's findings to where they are shown: through the filter, into the
// chosen format, on standard output or into --output FILE, with the progress bar erased before
// anything reaches the terminal. analyze and check share it, so both behave alike.
type findingSink struct {
	env         *Env
	settings    outputSettings
	filter      *findingFilter
	stdout      *bufio.Writer
	file        *reportFile
	out         output.Writer
	bar         *progress
	interactive bool
	// shown counts findings that passed the filter: the exit code follows them.
	shown int64
}

// top is how many groups of one rule the text report lists before it folds the rest.
func newFindingSink(env *Env, settings outputSettings, filter *findingFilter, summaryOnly bool, top int) (*findingSink, error) {
	s := &findingSink{env: env, settings: settings, filter: filter, bar: newProgress(env, settings.progress)}
	w := env.Stdout
	if settings.outputFile != "" {
		f, err := createReportFile(settings.outputFile)
		if err != nil {
			return nil, err
		}
		s.file, w = f, f.tmp
	} else {
		s.interactive = env.IsTerminal(env.Stdout)
	}
	s.stdout = bufio.NewWriterSize(w, 256<<10)
	s.out = output.New(settings.format, s.stdout, output.Options{
		Color: settings.color, Lang: settings.lang, SummaryOnly: summaryOnly, Version: buildVersion(), Top: top,
	})
	return s, nil
}

func (s *findingSink) finding(f *finding.Finding) error {
	if !s.filter.keep(f) {
		return nil
	}
	s.shown++
	if !s.interactive {
		return s.out.Finding(f)
	}
	var err error
	s.bar.pause(func() {
		if err = s.out.Finding(f); err == nil {
			err = s.stdout.Flush()
		}
	})
	return err
}

// warn prints a warning about the input. Its text is already escaped (input.Warning.String), so
// it is printed as it is: escaping it again would show \\x1b for \x1b.
func (s *findingSink) warn(w input.Warning) {
	if !s.settings.warnings {
		return
	}
	if s.settings.lang == "ja" {
		w.Msg = w.Text().Ja
	}
	s.bar.pause(func() {
		fmt.Fprintf(s.env.Stderr, "keikai: %s: %s\n", s.text("warning"), w.String())
	})
}

// note prints a message about the whole run on standard error, after the report.
func (s *findingSink) note(key string, args ...any) {
	s.bar.pause(func() {
		fmt.Fprintf(s.env.Stderr, "keikai: "+s.text(key)+"\n", args...)
	})
}

func (s *findingSink) text(key string) string { return cliMsg(s.settings.lang, key) }

// finish writes the summary and puts the report in place.
func (s *findingSink) finish(summary any, text func(io.Writer) error) error {
	s.bar.finish()
	if err := s.out.Finish(summary, text); err != nil {
		s.abort()
		return err
	}
	if err := s.stdout.Flush(); err != nil {
		s.abort()
		return err
	}
	if s.file != nil {
		return s.file.commit()
	}
	return nil
}

// abort stops the bar and drops an unfinished --output file.
func (s *findingSink) abort() {
	s.bar.finish()
	if s.file != nil {
		s.file.discard()
		s.file = nil
	}
}

// filteredLine adds the "shown N of M" line to a text summary when a filter is active.
func (s *findingSink) filteredLine(total int64, text func(io.Writer) error) func(io.Writer) error {
	names, ok := s.filter.active()
	if !ok {
		return text
	}
	return func(w io.Writer) error {
		if err := text(w); err != nil {
			return err
		}
		_, err := fmt.Fprintf(w, cliMsg(s.settings.lang, "shown")+"\n", groupDigits(s.shown), groupDigits(total), names)
		return err
	}
}

func groupDigits(n int64) string {
	s := fmt.Sprint(n)
	var out []byte
	for i := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			out = append(out, ',')
		}
		out = append(out, s[i])
	}
	return string(out)
}

// cliMessages are the command line's own messages in English and Japanese.
var cliMessages = map[string][2]string{
	"warning": {"warning", "警告"},
	"shown":   {"Shown: %s of %s findings (filtered by %s).", "表示: 検出 %[2]s 件のうち %[1]s 件 (%[3]s で絞り込み)。"},
	"incomplete": {
		"warning: %d inputs could not be read completely (see the warnings above); the findings come from the rest, so the result is incomplete",
		"警告: 最後まで読めなかった入力が %d 件あります (上の警告を参照)。検出結果は残りの入力からのもので、完全ではありません",
	},
	"default-text": {
		"no path given: analysing the text logs in %s",
		"パスの指定がないため %s のテキストログを解析します",
	},
	"default-text-journal": {
		"no path given: analysing the text logs in %s (the systemd journal, which holds the same messages, is left out; to read it: keikai analyze %s/journal)",
		"パスの指定がないため %s のテキストログを解析します (同じメッセージを持つ systemd の journal は除きます。読むには: keikai analyze %s/journal)",
	},
	"default-journal": {
		"no path given, and no text syslog file in %s: analysing the systemd journal (%d files)",
		"パスの指定がなく %s にテキストの syslog ファイルもないため、systemd の journal (%d ファイル) を解析します",
	},
	"default-none": {
		"no path given, and neither a text syslog file nor a systemd journal was found: analysing %s",
		"パスの指定がなく、テキストの syslog ファイルも systemd の journal も見つからないため %s を解析します",
	},
	"no-files": {
		"nothing was analysed: no log file was found in what you named. Name log files or directories that hold them; on a host that logs to the systemd journal, run: journalctl -o short-iso | keikai analyze -",
		"何も解析していません: 指定された場所にログファイルがありません。ログファイルかそれを含むディレクトリを指定してください。systemd の journal に記録するホストでは journalctl -o short-iso | keikai analyze - を実行してください",
	},
	"empty": {
		"nothing was analysed: the %d inputs hold no line. If the logs were rotated, name the rotated files too (messages.1, messages.2.gz); on a host that logs to the systemd journal, run: journalctl -o short-iso | keikai analyze -",
		"何も解析していません: %d 件の入力に行がありません。ログがローテートされているなら、ローテート後のファイル (messages.1、messages.2.gz) も指定してください。systemd の journal に記録するホストでは journalctl -o short-iso | keikai analyze - を実行してください",
	},
	"unknown": {
		"nothing was analysed: none of the %s lines is in a log format keikai reads (the README lists them). Check that these are the logs you meant; if keikai should read them, report a few sample lines",
		"何も解析していません: %s 行のいずれも keikai が読めるログ形式ではありません (対応形式は README を参照)。指定したログが正しいか確認してください。読めるべき形式なら、数行のサンプルを添えて報告してください",
	},
}

func cliMsg(lang, key string) string {
	m, ok := cliMessages[key]
	if !ok {
		return key
	}
	if lang == "ja" {
		return m[1]
	}
	return m[0]
}
