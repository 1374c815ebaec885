package mail

import (
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"time"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"
)

// Relay is the SMTP server keikai hands its outgoing mail to (forwards, replies,
// acknowledgements): the team's submission server or a local MTA.
type Relay struct {
	Addr string // host:port
	// Hello is the name given in EHLO on a plain session; "" means "localhost".
	Hello string
	// StartTLS demands STARTTLS before anything else is sent; TLS configures it (nil: verify
	// the relay's certificate for its host name against the system's roots).
	StartTLS bool
	TLS      *tls.Config
	// Username and Password, when set, authenticate with AUTH PLAIN, which is refused without
	// TLS unless the relay is on the loopback (the password must not cross a network in clear).
	Username, Password string
	// Timeout bounds one delivery when ctx has no deadline; 0 means 2 minutes.
	Timeout time.Duration
}

// ErrRelay wraps every failure to hand a message over: nothing was accepted for delivery.
var ErrRelay = errors.New("the SMTP relay did not take the message")

// Send hands one message to the relay for the envelope recipients. It returns nil only when
// the relay accepted the message (250 after DATA); then, and only then, the message counts as
// sent.
func (r Relay) Send(ctx context.Context, from string, to []string, msg []byte) error {
	if err := r.send(ctx, from, to, msg); err != nil {
		return fmt.Errorf("%w (%s): %w", ErrRelay, r.Addr, err)
	}
	return nil
}

func (r Relay) send(ctx context.Context, from string, to []string, msg []byte) error {
	if len(to) == 0 {
		return ErrNoRecipient
	}
	timeout := r.Timeout
	if timeout <= 0 {
		timeout = 2 * time.Minute
	}
	deadline, ok := ctx.Deadline()
	if !ok {
		deadline = time.Now().Add(timeout)
	}
	var d net.Dialer
	dctx, cancel := context.WithDeadline(ctx, deadline)
	defer cancel()
	conn, err := d.DialContext(dctx, "tcp", r.Addr)
	if err != nil {
		return err
	}
	conn.SetDeadline(deadline)
	stop := context.AfterFunc(ctx, func() { conn.SetDeadline(time.Unix(1, 0)) })
	defer stop()
	var c *smtp.Client
	secure := false
	if r.StartTLS {
		cfg := r.TLS
		if cfg == nil {
			host, _, _ := net.SplitHostPort(r.Addr)
			cfg = &tls.Config{ServerName: host, MinVersion: tls.VersionTLS12}
		}
		// go-smtp greets as "localhost" before STARTTLS; Hello applies to plain sessions only.
		if c, err = smtp.NewClientStartTLS(conn, cfg); err != nil {
			conn.Close()
			return fmt.Errorf("STARTTLS (--relay-starttls): %w", err)
		}
		secure = true
	} else {
		c = smtp.NewClient(conn)
		if r.Hello != "" {
			if err := c.Hello(r.Hello); err != nil {
				c.Close()
				return err
			}
		}
	}
	defer c.Close()
	if r.Username != "" {
		if !secure && !loopback(r.Addr) {
			return errors.New("refusing to send the relay password without TLS: give --relay-starttls")
		}
		if err := c.Auth(sasl.NewPlainClient("", r.Username, r.Password)); err != nil {
			return fmt.Errorf("AUTH: %w", err)
		}
	}
	if err := c.SendMail(from, to, bytes.NewReader(msg)); err != nil {
		return err
	}
	// The message is accepted once DATA is answered 250; a failed QUIT changes nothing.
	c.Quit()
	return nil
}

func loopback(addr string) bool {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return false
	}
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
