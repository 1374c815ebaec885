package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/keikai-project/keikai/internal/escape"
	"github.com/keikai-project/keikai/internal/intake"
	"github.com/keikai-project/keikai/internal/mailbox"
)

const importHelp = `
Imports mail collected elsewhere as reports: keikai import mbox FILE (a gzip-compressed mbox
too, or - for standard input) or keikai import maildir DIR. Each message is stored byte-for-byte
as a report received by mail, dated by when it was received (the mbox From_ line, else the
newest Received: header, else Date:), so an archive lands in the quarter it arrived in. A
message whose Message-ID is already stored is stored once: importing the same mailbox twice
stores nothing new.

Imported reports wait in the analysis queue, and the workers of keikai serve on the same --db
analyse them. With --analyse, import runs the workers itself until the queue is empty, so that
keikai report works at once without a server.

An mbox is read as mboxrd (one ">" removed from every ">From " line, quoted or not), as most
writers since 1995 write it; give --format mboxo for a file from classic sendmail or procmail.
When the difference matters, import says how many lines it concerns.

Exit codes: 0 imported, 2 usage error, a mailbox that could not be read completely (messages
skipped: each one is logged), or a database error.`

func runImport(env *Env, args []string) int {
	fs := newFlagSet(env, "import", "mbox|maildir PATH [flags]", importHelp)
	db := dbFlag(fs)
	format := fs.String("format", "mboxrd", "mbox `variant`: mboxrd or mboxo")
	analyse := fs.Bool("analyse", false, "analyse the imported reports now, instead of leaving them to keikai serve")
	workers := fs.Int("workers", 16, "reports analysed at once with --analyse")
	tz := fs.String("tz", "Asia/Tokyo", "the centre's time `zone`, for reports' clock times without a zone (with --analyse)")
	langFlag := fs.String("lang", "", "language of the summary: ja or en (default: from LANG)")
	var rulesDirs stringList
	fs.Var(&rulesDirs, "rules", "also load rules from `DIR` (repeatable, with --analyse)")
	rest, err := parseInterleaved(fs, args)
	if errors.Is(err, flag.ErrHelp) {
		return exitClean
	}
	if err != nil {
		return fail(env, "import", err)
	}
	if len(rest) != 2 || (rest[0] != "mbox" && rest[0] != "maildir") {
		return fail(env, "import", fmt.Errorf("%w: give mbox FILE or maildir DIR", errUsage))
	}
	kind, path := rest[0], rest[1]
	mboxFormat, err := mailbox.ParseFormat(*format)
	if err != nil {
		return fail(env, "import", fmt.Errorf("%w: --format: %v", errUsage, err))
	}
	if kind == "maildir" && *format != "mboxrd" {
		return fail(env, "import", fmt.Errorf("%w: --format applies to mbox only", errUsage))
	}
	lang, err := langFrom(*langFlag, env.Getenv)
	if err != nil {
		return fail(env, "import", err)
	}
	if *workers < 1 {
		return fail(env, "import", fmt.Errorf("%w: --workers must be at least 1", errUsage))
	}
	zone, err := loadZone(*tz)
	if err != nil {
		return fail(env, "import", err)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	log := slog.New(slog.NewTextHandler(env.Stderr, nil))
	eng, err := loadEngine(rulesDirs, env, false)
	if err != nil {
		return fail(env, "import", err)
	}
	st, err := openStore(ctx, *db)
	if err != nil {
		return fail(env, "import", err)
	}
	defer st.Close()
	svc, err := newIntake(st, eng, zone, *workers, time.Minute, log)
	if err != nil {
		return fail(env, "import", err)
	}
	opts := mailbox.Options{Format: mboxFormat, Logger: log}
	// Replies to keikai's mail join their thread; everything else is a new report.
	sub := &intake.Replies{Next: svc, Store: st, Logger: log}
	var stats mailbox.Stats
	if kind == "maildir" {
		stats, err = mailbox.ImportMaildir(ctx, path, sub, opts)
	} else {
		var r io.Reader = env.Stdin
		if path != "-" {
			f, ferr := os.Open(path)
			if ferr != nil {
				return fail(env, "import", ferr)
			}
			defer f.Close()
			r = f
		}
		stats, err = mailbox.ImportMbox(ctx, r, sub, opts)
	}
	printImportStats(env, lang, path, stats)
	if err != nil {
		return fail(env, "import", err)
	}
	if *analyse && stats.Stored > 0 {
		start := time.Now()
		if err := analyseQueue(ctx, st, svc); err != nil {
			return fail(env, "import", err)
		}
		if lang == "ja" {
			fmt.Fprintf(env.Stdout, "分析を終えました (%.1f 秒)。\n", time.Since(start).Seconds())
		} else {
			fmt.Fprintf(env.Stdout, "Analysed in %.1f s.\n", time.Since(start).Seconds())
		}
	} else if stats.Stored > 0 {
		if lang == "ja" {
			fmt.Fprintf(env.Stdout, "新しい報告は分析待ちです: 同じ --db で keikai serve を動かすか、--analyse を付けて取り込んでください。\n")
		} else {
			fmt.Fprintf(env.Stdout, "The new reports wait for analysis: run keikai serve on the same --db, or import with --analyse.\n")
		}
	}
	if stats.Skipped > 0 {
		return exitError
	}
	return exitClean
}

func printImportStats(env *Env, lang, path string, s mailbox.Stats) {
	p := escape.String(path)
	if lang == "ja" {
		fmt.Fprintf(env.Stdout, "%s: %d 通を読み、%d 通を新しい報告として保存、%d 通は保存済み (同じ Message-ID)、%d 通は読み飛ばし。\n",
			p, s.Messages, s.Stored, s.Duplicates, s.Skipped)
		if s.Replies > 0 {
			fmt.Fprintf(env.Stdout, "%d 通は当方のメールへの返信として、元の報告またはインシデントのスレッドに加えました。\n", s.Replies)
		}
		if s.Undated > 0 {
			fmt.Fprintf(env.Stdout, "受信日時の分からない %d 通は、ファイルの日時か取り込んだ日時で保存しました。\n", s.Undated)
		}
		if s.AmbiguousLines > 0 {
			fmt.Fprintf(env.Stdout, "\">>From \" で始まる行が %d 行あります。mboxo 形式のファイルなら --format mboxo で取り込み直してください。\n", s.AmbiguousLines)
		}
		return
	}
	fmt.Fprintf(env.Stdout, "%s: %d messages read, %d stored as new reports, %d already stored (same Message-ID), %d skipped.\n",
		p, s.Messages, s.Stored, s.Duplicates, s.Skipped)
	if s.Replies > 0 {
		fmt.Fprintf(env.Stdout, "%d replies to keikai's mail joined the thread of their report or incident.\n", s.Replies)
	}
	if s.Undated > 0 {
		fmt.Fprintf(env.Stdout, "%d messages without a receipt date were dated by their file time or the time of import.\n", s.Undated)
	}
	if s.AmbiguousLines > 0 {
		fmt.Fprintf(env.Stdout, "%d lines start with \">>From \"; if the file was written as mboxo, import it again with --format mboxo.\n", s.AmbiguousLines)
	}
}
