package mailbox

import (
	"bufio"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"time"

	"github.com/keikai-project/keikai/internal/mail"
	"github.com/keikai-project/keikai/internal/report"
)

// Options tune an import.
type Options struct {
	// Format is the mbox variant (mbox only).
	Format Format
	// MaxMessageBytes skips larger messages (default 256 MiB).
	MaxMessageBytes int64
	// Now dates a message in which no date can be found at all (default time.Now).
	Now func() time.Time
	// Logger receives one line per skipped message; nil discards.
	Logger *slog.Logger
}

// Stats counts what an import did.
type Stats struct {
	Messages   int // messages read
	Stored     int // stored as new reports
	Duplicates int // already stored (same Message-ID)
	Replies    int // replies to keikai's mail, joined to the thread of their report or incident
	Skipped    int // too large or unreadable; each one logged
	// Undated counts messages without a From_ line, Received: or Date: that could be read; they
	// were dated by the maildir file name or time, or else by the import time.
	Undated int
	// AmbiguousLines counts ">>From " lines (see the package comment on mbox variants).
	AmbiguousLines int
}

func (o *Options) defaults() {
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
}

// ImportMbox submits every message of the mbox r as a report (Channel import) dated by its
// receipt time (mail.ReceivedAt). A message already stored is counted as a duplicate. It stops at
// the first error of the Submitter (the store), and returns what was done until then.
//
// An mbox compressed with gzip (archive.mbox.gz, as archives were kept) is decompressed on the fly.
func ImportMbox(ctx context.Context, r io.Reader, sub report.Submitter, opts Options) (st Stats, err error) {
	opts.defaults()
	br := bufio.NewReaderSize(r, 64<<10)
	if magic, _ := br.Peek(2); len(magic) == 2 && magic[0] == 0x1F && magic[1] == 0x8B {
		zr, err := gzip.NewReader(br)
		if err != nil {
			return st, fmt.Errorf("reading gzip-compressed mbox: %w", err)
		}
		defer zr.Close()
		r = zr
	} else {
		r = br
	}
	mr := NewMboxReader(r, opts.Format, opts.MaxMessageBytes)
	defer func() { st.AmbiguousLines = mr.AmbiguousLines }()
	for {
		if err := ctx.Err(); err != nil {
			return st, err
		}
		msg, err := mr.Next()
		if err == io.EOF {
			return st, nil
		}
		if errors.Is(err, ErrTooLarge) {
			st.Messages++
			st.Skipped++
			opts.Logger.Warn("message skipped", "err", err)
			continue
		}
		if err != nil {
			return st, err
		}
		st.Messages++
		at, ok := mail.ReceivedAt(msg.Raw, msg.FromLine)
		if !ok {
			at = opts.Now()
			st.Undated++
		}
		if err := submit(ctx, sub, msg.Raw, at, &st); err != nil {
			return st, fmt.Errorf("message at byte %d: %w", msg.Offset, err)
		}
	}
}

// ImportMaildir submits every message in the maildir dir (new/ and cur/, oldest delivery first),
// like ImportMbox. A
// message without a readable date is dated by its file name's delivery time, or its file time.
func ImportMaildir(ctx context.Context, dir string, sub report.Submitter, opts Options) (Stats, error) {
	opts.defaults()
	var st Stats
	entries, err := listMaildir(dir)
	if err != nil {
		return st, err
	}
	maxSize := opts.MaxMessageBytes
	if maxSize <= 0 {
		maxSize = 256 << 20
	}
	for _, e := range entries {
		if err := ctx.Err(); err != nil {
			return st, err
		}
		msg, err := readMaildirFile(e, maxSize)
		if err != nil {
			st.Messages++
			st.Skipped++
			opts.Logger.Warn("message skipped", "err", err)
			continue
		}
		st.Messages++
		at, ok := mail.ReceivedAt(msg.Raw, "")
		if !ok {
			st.Undated++
			if at, ok = deliveredAt(msg.Path); !ok {
				at = opts.Now()
			}
		}
		if err := submit(ctx, sub, msg.Raw, at, &st); err != nil {
			return st, fmt.Errorf("%s: %w", msg.Path, err)
		}
	}
	return st, nil
}

func submit(ctx context.Context, sub report.Submitter, raw []byte, at time.Time, st *Stats) error {
	receipt, err := sub.Submit(ctx, &report.Submission{
		Channel:     report.ChannelImport,
		ReceivedAt:  at,
		Raw:         raw,
		ContentType: "message/rfc822",
		MessageID:   mail.MessageID(raw),
	})
	if err != nil {
		return err
	}
	switch {
	case receipt.Duplicate:
		st.Duplicates++
	case receipt.Joined:
		st.Replies++
	default:
		st.Stored++
	}
	return nil
}
