// Package smtpd is keikai's SMTP intake: a listener (emersion/go-smtp) that takes reports mailed
// to the intake address and hands each message to a report.Submitter. The 250 reply that tells
// the sending MTA to forget the message is written only after Submit returned, that is after the
// store's durable commit; a failed commit answers 451, so the sender keeps the message and retries.
//
// A message is stored as received, with one Received: trace field prepended as every MTA does
// (RFC 5321 4.4); the bytes after it are exactly what the client sent in DATA, dot-unstuffed.
package smtpd

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"strings"
	"sync"
	"time"

	"github.com/emersion/go-smtp"

	"github.com/keikai-project/keikai/internal/mail"
	"github.com/keikai-project/keikai/internal/report"
)

// Options configure the listener. Zero values take the defaults.
type Options struct {
	// Domain names this host in the greeting and in Received: (default "localhost").
	Domain string
	// Recipients are the intake addresses accepted (case-insensitive); empty accepts any.
	Recipients []string
	// MaxMessageBytes is advertised with SIZE; larger messages get 552 (default 25 MiB).
	MaxMessageBytes int64
	// MaxRecipients per message (default 20).
	MaxRecipients int
	// MaxConnections open at once; more are answered 421 and closed (default 100).
	MaxConnections int
	// ReadTimeout and WriteTimeout bound each read and write on a connection (default 5 min and
	// 1 min; RFC 5321 4.5.3.2 asks servers to wait 5 minutes for a command).
	ReadTimeout, WriteTimeout time.Duration
	// SubmitTimeout bounds one Submit (default 1 min); on expiry the client gets 451 and retries.
	SubmitTimeout time.Duration
	// Acknowledge, if set, runs after a report was stored (in its own goroutine; Shutdown waits
	// for it): the place to send the acknowledgement mail.
	Acknowledge func(ctx context.Context, s *report.Submission, envelopeFrom string, r report.Receipt)
	Logger      *slog.Logger
	// Now is the clock for ReceivedAt and the Received: date (default time.Now).
	Now func() time.Time
}

// Server is the SMTP intake listener.
type Server struct {
	addr  string
	sub   report.Submitter
	opts  Options
	smtp  *smtp.Server
	rcpts map[string]bool
	acks  sync.WaitGroup
	// ackCtx is cancelled when Shutdown gives up waiting, so acknowledgements stop too.
	ackCtx    context.Context
	ackCancel context.CancelFunc

	// go-smtp's Serve, called after its Shutdown, adds its listener to a closed server and accepts
	// forever; the server keeps its own listeners and state so that a Shutdown that comes first
	// (a signal at start-up) still ends Serve.
	mu        sync.Mutex
	closed    bool
	listeners []*limitListener
}

// New returns a server for addr ("127.0.0.1:2525") that stores what it receives through sub.
func New(addr string, sub report.Submitter, opts Options) *Server {
	if opts.Domain == "" {
		opts.Domain = "localhost"
	}
	if opts.MaxMessageBytes <= 0 {
		opts.MaxMessageBytes = 25 << 20
	}
	if opts.MaxRecipients <= 0 {
		opts.MaxRecipients = 20
	}
	if opts.MaxConnections <= 0 {
		opts.MaxConnections = 100
	}
	if opts.ReadTimeout <= 0 {
		opts.ReadTimeout = 5 * time.Minute
	}
	if opts.WriteTimeout <= 0 {
		opts.WriteTimeout = time.Minute
	}
	if opts.SubmitTimeout <= 0 {
		opts.SubmitTimeout = time.Minute
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	s := &Server{addr: addr, sub: sub, opts: opts, rcpts: map[string]bool{}}
	for _, r := range opts.Recipients {
		s.rcpts[strings.ToLower(strings.TrimSpace(r))] = true
	}
	s.ackCtx, s.ackCancel = context.WithCancel(context.Background())
	srv := smtp.NewServer(smtp.BackendFunc(s.newSession))
	srv.Addr = addr
	srv.Domain = opts.Domain
	srv.MaxMessageBytes = opts.MaxMessageBytes
	srv.MaxRecipients = opts.MaxRecipients
	srv.ReadTimeout = opts.ReadTimeout
	srv.WriteTimeout = opts.WriteTimeout
	// Logs pasted into mail have long lines; RFC 5321's 1000 is a floor for servers, not a cap.
	srv.MaxLineLength = 64 << 10
	// Stored bytes are never re-encoded, so UTF-8 headers (RFC 6531) are kept like any others.
	srv.EnableSMTPUTF8 = true
	srv.ErrorLog = slogAdapter{opts.Logger}
	s.smtp = srv
	return s
}

// ListenAndServe listens on the configured address and serves until Shutdown.
func (s *Server) ListenAndServe() error {
	l, err := net.Listen("tcp", s.addr)
	if err != nil {
		return fmt.Errorf("smtp intake: %w", err)
	}
	return s.Serve(l)
}

// Serve serves connections from l until Shutdown; it returns nil after Shutdown.
func (s *Server) Serve(l net.Listener) error {
	ll := &limitListener{Listener: l, slots: make(chan struct{}, s.opts.MaxConnections), domain: s.opts.Domain, log: s.opts.Logger}
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		ll.Close()
		return nil
	}
	s.listeners = append(s.listeners, ll)
	s.mu.Unlock()
	s.opts.Logger.Info("smtp intake listening", "addr", l.Addr().String(), "domain", s.opts.Domain)
	err := s.smtp.Serve(ll)
	s.mu.Lock()
	closed := s.closed
	s.mu.Unlock()
	if closed || errors.Is(err, smtp.ErrServerClosed) {
		return nil
	}
	return err
}

// Shutdown stops accepting connections and waits for the open ones to finish their transaction
// and for running acknowledgements. When ctx ends first, the remaining connections are closed
// (a client that did not get its 250 sends again; the Message-ID keeps it from being stored twice).
func (s *Server) Shutdown(ctx context.Context) error {
	s.mu.Lock()
	s.closed = true
	for _, l := range s.listeners {
		l.Close()
	}
	s.mu.Unlock()
	err := s.smtp.Shutdown(ctx)
	if err != nil && ctx.Err() != nil {
		s.smtp.Close()
		s.ackCancel()
	}
	done := make(chan struct{})
	go func() { s.acks.Wait(); close(done) }()
	select {
	case <-done:
	case <-ctx.Done():
		s.ackCancel()
		<-done
	}
	s.ackCancel()
	if errors.Is(err, smtp.ErrServerClosed) {
		return nil
	}
	return err
}

func (s *Server) newSession(c *smtp.Conn) (smtp.Session, error) {
	remote := c.Conn().RemoteAddr().String()
	s.opts.Logger.Debug("smtp connection", "remote", remote, "helo", c.Hostname())
	return &session{srv: s, conn: c, remote: remote}, nil
}

type session struct {
	srv    *Server
	conn   *smtp.Conn
	remote string
	from   string
	utf8   bool
	rcpts  []string
}

func (se *session) Reset() {
	se.from, se.utf8, se.rcpts = "", false, nil
}

func (se *session) Logout() error { return nil }

func (se *session) Mail(from string, opts *smtp.MailOptions) error {
	se.from = from
	se.utf8 = opts != nil && opts.UTF8
	return nil
}

func (se *session) Rcpt(to string, _ *smtp.RcptOptions) error {
	if len(se.srv.rcpts) > 0 && !se.srv.rcpts[strings.ToLower(to)] {
		se.srv.opts.Logger.Info("smtp recipient refused", "remote", se.remote, "rcpt", to)
		return &smtp.SMTPError{Code: 550, EnhancedCode: smtp.EnhancedCode{5, 1, 1}, Message: "No such intake address here"}
	}
	se.rcpts = append(se.rcpts, to)
	return nil
}

var errStore = &smtp.SMTPError{Code: 451, EnhancedCode: smtp.EnhancedCode{4, 3, 0}, Message: "Report not stored, please try again later"}

// Data stores the message and returns only when it is durable; go-smtp writes 250 after it.
func (se *session) Data(r io.Reader) error {
	srv := se.srv
	body, err := io.ReadAll(r)
	if err != nil {
		if errors.Is(err, smtp.ErrDataTooLarge) {
			srv.opts.Logger.Info("smtp message too large", "remote", se.remote, "from", se.from, "limit", srv.opts.MaxMessageBytes)
		}
		return err
	}
	now := srv.opts.Now()
	id := queueID()
	trace := se.receivedField(id, now)
	raw := make([]byte, 0, len(trace)+len(body))
	raw = append(append(raw, trace...), body...)
	sub := &report.Submission{
		Channel:     report.ChannelSMTP,
		ReceivedAt:  now,
		Raw:         raw,
		ContentType: "message/rfc822",
		MessageID:   mail.MessageID(body),
		RemoteAddr:  se.remote,
	}
	ctx, cancel := context.WithTimeout(context.Background(), srv.opts.SubmitTimeout)
	defer cancel()
	receipt, err := srv.sub.Submit(ctx, sub)
	if err != nil {
		srv.opts.Logger.Error("smtp report not stored", "remote", se.remote, "from", se.from, "message_id", sub.MessageID, "err", err)
		return errStore
	}
	srv.opts.Logger.Info("smtp report stored", "remote", se.remote, "from", se.from, "rcpt", se.rcpts,
		"message_id", sub.MessageID, "size", len(raw), "tracking", receipt.Tracking, "duplicate", receipt.Duplicate, "joined", receipt.Joined, "queue_id", id)
	// A reply that joined a thread is not a new report: it gets no acknowledgement.
	if srv.opts.Acknowledge != nil && !receipt.Duplicate && !receipt.Joined {
		srv.acks.Add(1)
		go func(from string) {
			defer srv.acks.Done()
			srv.opts.Acknowledge(srv.ackCtx, sub, from, receipt)
		}(se.from)
	}
	return &smtp.SMTPError{Code: 250, EnhancedCode: smtp.EnhancedCode{2, 0, 0}, Message: "Stored as " + receiptName(receipt, id)}
}

func receiptName(r report.Receipt, id string) string {
	if r.Tracking != "" {
		return r.Tracking
	}
	return id
}

// receivedField is the trace field this server adds, in the form sendmail and Postfix use:
//
//	Received: from HELO (HOST [IP])
//		by DOMAIN (keikai) with ESMTP id ID
//		for <RCPT>; DATE
//
// "for" is given only for a single recipient (RFC 5321 7.2: do not disclose Bcc recipients).
func (se *session) receivedField(id string, now time.Time) []byte {
	ip := se.remote
	if host, _, err := net.SplitHostPort(se.remote); err == nil {
		ip = host
	}
	with := "ESMTP"
	if se.utf8 {
		with = "UTF8SMTP"
	}
	var b strings.Builder
	fmt.Fprintf(&b, "Received: from %s ([%s])\r\n\tby %s (keikai) with %s id %s",
		traceToken(se.conn.Hostname()), ip, traceToken(se.srv.opts.Domain), with, id)
	if len(se.rcpts) == 1 {
		fmt.Fprintf(&b, "\r\n\tfor <%s>", traceToken(se.rcpts[0]))
	}
	fmt.Fprintf(&b, "; %s\r\n", now.Format("Mon, 2 Jan 2006 15:04:05 -0700"))
	return []byte(b.String())
}

// traceToken keeps what a client said (HELO name, address) printable and on one line.
func traceToken(s string) string {
	if s == "" {
		return "unknown"
	}
	return strings.Map(func(r rune) rune {
		if r <= ' ' || r == 0x7F || r == '(' || r == ')' || r == ';' {
			return '_'
		}
		return r
	}, s)
}

func queueID() string {
	var b [8]byte
	rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// limitListener caps open connections; one over the cap is told 421 at once rather than left
// waiting in the accept queue until its own timeout.
type limitListener struct {
	net.Listener
	slots  chan struct{}
	domain string
	log    *slog.Logger

	closeOnce sync.Once
	closeErr  error
}

// Close closes the listener once: both the server and go-smtp's Shutdown close it, and a second
// close must not turn a clean shutdown into an error.
func (l *limitListener) Close() error {
	l.closeOnce.Do(func() { l.closeErr = l.Listener.Close() })
	return l.closeErr
}

func (l *limitListener) Accept() (net.Conn, error) {
	for {
		c, err := l.Listener.Accept()
		if err != nil {
			return nil, err
		}
		select {
		case l.slots <- struct{}{}:
			return &slotConn{Conn: c, release: func() { <-l.slots }}, nil
		default:
			l.log.Warn("smtp connection refused: too many connections", "remote", c.RemoteAddr().String(), "max", cap(l.slots))
			c.SetWriteDeadline(time.Now().Add(5 * time.Second))
			io.WriteString(c, "421 4.7.0 "+l.domain+" Too many connections, try again later\r\n")
			c.Close()
		}
	}
}

type slotConn struct {
	net.Conn
	once    sync.Once
	release func()
}

func (c *slotConn) Close() error {
	c.once.Do(c.release)
	return c.Conn.Close()
}

// slogAdapter routes go-smtp's own error log (failed reads, TLS, protocol errors) to slog.
type slogAdapter struct{ log *slog.Logger }

func (a slogAdapter) Printf(format string, v ...interface{}) {
	a.log.Warn("smtp", "msg", strings.TrimSpace(fmt.Sprintf(format, v...)))
}

func (a slogAdapter) Println(v ...interface{}) {
	a.log.Warn("smtp", "msg", strings.TrimSpace(fmt.Sprintln(v...)))
}
