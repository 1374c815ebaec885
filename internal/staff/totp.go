package staff

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha1"
	"crypto/subtle"
	"encoding/base32"
	"encoding/binary"
	"fmt"
	"net/url"
	"strings"
	"time"
)

// TOTP as RFC 6238 with the parameters every authenticator app takes by default: HMAC-SHA-1,
// six digits, 30-second steps. A code of the step before or after is accepted too (clocks drift).
const (
	TOTPDigits = 6
	TOTPPeriod = 30 * time.Second
	TOTPSkew   = 1 // steps either side
	// totpSecretLen is 160 bits, the HMAC-SHA-1 key length RFC 4226 recommends.
	totpSecretLen = 20
)

// NewTOTPSecret returns a fresh random secret.
func NewTOTPSecret() ([]byte, error) {
	s := make([]byte, totpSecretLen)
	if _, err := rand.Read(s); err != nil {
		return nil, fmt.Errorf("making a TOTP secret: %w", err)
	}
	return s, nil
}

var b32 = base32.StdEncoding.WithPadding(base32.NoPadding)

// EncodeTOTPSecret is the secret as authenticator apps take it typed in: base32 without padding.
func EncodeTOTPSecret(secret []byte) string { return b32.EncodeToString(secret) }

// DecodeTOTPSecret reads a secret back from EncodeTOTPSecret's form (spaces and case ignored).
func DecodeTOTPSecret(s string) ([]byte, error) {
	s = strings.ToUpper(strings.ReplaceAll(s, " ", ""))
	secret, err := b32.DecodeString(s)
	if err != nil || len(secret) != totpSecretLen {
		return nil, fmt.Errorf("not a TOTP secret of keikai's (%d bytes, base32)", totpSecretLen)
	}
	return secret, nil
}

// TOTPURI is the otpauth:// URI an authenticator app reads (as a QR code or a link): the issuer
// and the account name label it in the app.
func TOTPURI(issuer, account string, secret []byte) string {
	q := url.Values{}
	q.Set("secret", EncodeTOTPSecret(secret))
	q.Set("issuer", issuer)
	q.Set("algorithm", "SHA1")
	q.Set("digits", fmt.Sprint(TOTPDigits))
	q.Set("period", fmt.Sprint(int(TOTPPeriod/time.Second)))
	label := url.PathEscape(issuer) + ":" + url.PathEscape(account)
	return "otpauth://totp/" + label + "?" + q.Encode()
}

// TOTPStep is the time step t falls in.
func TOTPStep(t time.Time) int64 { return t.Unix() / int64(TOTPPeriod/time.Second) }

// TOTPCode is the code of step (RFC 4226 HOTP of the step counter, dynamic truncation).
func TOTPCode(secret []byte, step int64) string {
	var msg [8]byte
	binary.BigEndian.PutUint64(msg[:], uint64(step))
	m := hmac.New(sha1.New, secret)
	m.Write(msg[:])
	sum := m.Sum(nil)
	off := sum[len(sum)-1] & 0x0f
	v := binary.BigEndian.Uint32(sum[off:off+4]) & 0x7fffffff
	return fmt.Sprintf("%0*d", TOTPDigits, v%1_000_000)
}

// VerifyTOTP checks code against the steps around now and returns the step it matched. The
// caller must refuse a step not later than the last one the account used: a code is good once.
func VerifyTOTP(secret []byte, code string, now time.Time) (step int64, ok bool) {
	code = strings.ReplaceAll(strings.TrimSpace(code), " ", "")
	if len(code) != TOTPDigits {
		return 0, false
	}
	at := TOTPStep(now)
	matched := int64(-1)
	// Every candidate is computed and compared, so the time taken does not say which matched.
	for s := at - TOTPSkew; s <= at+TOTPSkew; s++ {
		if subtle.ConstantTimeCompare([]byte(TOTPCode(secret, s)), []byte(code)) == 1 && matched < 0 {
			matched = s
		}
	}
	if matched < 0 {
		return 0, false
	}
	return matched, true
}
