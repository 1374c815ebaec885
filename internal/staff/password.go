package staff

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"unicode/utf8"

	"golang.org/x/crypto/argon2"
)

// Params are argon2id's cost parameters. Every hash records the parameters it was made with (in
// its PHC string), so raising Default later keeps old hashes verifiable.
type Params struct {
	Memory  uint32 // KiB
	Time    uint32 // passes
	Threads uint8
	KeyLen  uint32
	SaltLen uint32
}

// Default follows the OWASP password storage recommendation for argon2id (19 MiB, 2 passes, one
// lane): about 30 ms on one core, small enough that a login flood cannot exhaust memory.
var Default = Params{Memory: 19 * 1024, Time: 2, Threads: 1, KeyLen: 32, SaltLen: 16}

// Bounds on the parameters a stored hash may ask for: a hash altered in the database must not
// make a login take minutes or gigabytes.
const (
	maxMemory  = 1 << 20 // KiB: 1 GiB
	maxTime    = 64
	maxKeyLen  = 128
	minKeyLen  = 16
	minSaltLen = 8
	maxSaltLen = 64
)

// Password policy.
const (
	MinPasswordLen = 12   // characters
	MaxPasswordLen = 1024 // bytes: hashing has a cost, and nobody types more
)

// Errors of the password policy.
var (
	ErrPasswordShort   = fmt.Errorf("a password has at least %d characters", MinPasswordLen)
	ErrPasswordLong    = fmt.Errorf("a password has at most %d bytes", MaxPasswordLen)
	ErrPasswordEncoded = errors.New("a password must be valid UTF-8 without control characters")
	ErrPasswordIsName  = errors.New("a password must not be the user name")
)

// CheckPassword applies the password policy to a new password for the account name.
func CheckPassword(name, password string) error {
	if len(password) > MaxPasswordLen {
		return ErrPasswordLong
	}
	if !utf8.ValidString(password) {
		return ErrPasswordEncoded
	}
	for _, r := range password {
		if r < 0x20 || r == 0x7f {
			return ErrPasswordEncoded
		}
	}
	if utf8.RuneCountInString(password) < MinPasswordLen {
		return ErrPasswordShort
	}
	if strings.EqualFold(password, name) {
		return ErrPasswordIsName
	}
	return nil
}

// HashPassword hashes password with argon2id under p and a fresh random salt, as a PHC string:
// $argon2id$v=19$m=19456,t=2,p=1$<salt>$<hash> (unpadded standard base64).
func HashPassword(password string, p Params) (string, error) {
	salt := make([]byte, p.SaltLen)
	if _, err := rand.Read(salt); err != nil {
		return "", fmt.Errorf("hashing a password: %w", err)
	}
	key := argon2.IDKey([]byte(password), salt, p.Time, p.Memory, p.Threads, p.KeyLen)
	return encodePHC(p, salt, key), nil
}

func encodePHC(p Params, salt, key []byte) string {
	b64 := base64.RawStdEncoding
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, p.Memory, p.Time, p.Threads,
		b64.EncodeToString(salt), b64.EncodeToString(key))
}

// ErrHash is returned for a stored hash keikai cannot read.
var ErrHash = errors.New("not an argon2id PHC string keikai can verify")

// ParseHash reads a PHC string made by HashPassword (or by another argon2id implementation with
// parameters inside the bounds).
func ParseHash(encoded string) (p Params, salt, key []byte, err error) {
	parts := strings.Split(encoded, "$")
	// "", "argon2id", "v=19", "m=..,t=..,p=..", salt, hash
	if len(parts) != 6 || parts[0] != "" || parts[1] != "argon2id" || parts[2] != "v="+strconv.Itoa(argon2.Version) {
		return p, nil, nil, ErrHash
	}
	seen := map[string]bool{}
	for _, kv := range strings.Split(parts[3], ",") {
		k, v, ok := strings.Cut(kv, "=")
		if !ok || seen[k] {
			return p, nil, nil, ErrHash
		}
		seen[k] = true
		n, err := strconv.ParseUint(v, 10, 32)
		if err != nil || v != strconv.FormatUint(n, 10) {
			return p, nil, nil, ErrHash
		}
		switch k {
		case "m":
			p.Memory = uint32(n)
		case "t":
			p.Time = uint32(n)
		case "p":
			if n > 255 {
				return p, nil, nil, ErrHash
			}
			p.Threads = uint8(n)
		default:
			return p, nil, nil, ErrHash
		}
	}
	if len(seen) != 3 || p.Time < 1 || p.Time > maxTime || p.Threads < 1 || p.Memory < 8*uint32(p.Threads) || p.Memory > maxMemory {
		return p, nil, nil, ErrHash
	}
	// The decoder skips CR and LF inside its input: a hash carrying them is not one we wrote.
	if strings.ContainsAny(parts[4]+parts[5], "\r\n") {
		return p, nil, nil, ErrHash
	}
	b64 := base64.RawStdEncoding.Strict()
	if salt, err = b64.DecodeString(parts[4]); err != nil || len(salt) < minSaltLen || len(salt) > maxSaltLen {
		return p, nil, nil, ErrHash
	}
	if key, err = b64.DecodeString(parts[5]); err != nil || len(key) < minKeyLen || len(key) > maxKeyLen {
		return p, nil, nil, ErrHash
	}
	p.SaltLen, p.KeyLen = uint32(len(salt)), uint32(len(key))
	return p, salt, key, nil
}

// VerifyPassword reports whether password matches the PHC string encoded, comparing in constant
// time. A hash it cannot read is an error, never a match.
func VerifyPassword(encoded, password string) (bool, error) {
	p, salt, key, err := ParseHash(encoded)
	if err != nil {
		return false, err
	}
	if len(password) > MaxPasswordLen {
		return false, nil
	}
	got := argon2.IDKey([]byte(password), salt, p.Time, p.Memory, p.Threads, p.KeyLen)
	return subtle.ConstantTimeCompare(got, key) == 1, nil
}

// NeedsRehash reports whether encoded was made with weaker parameters than p, so that a login
// that has the password at hand can store a stronger hash.
func NeedsRehash(encoded string, p Params) bool {
	q, _, _, err := ParseHash(encoded)
	return err != nil || q.Memory < p.Memory || q.Time < p.Time || q.KeyLen < p.KeyLen || q.SaltLen < p.SaltLen
}

// dummyHash is verified against when a login names no account, so that the answer takes as
// long as for a wrong password and does not tell which names exist.
// It is made on first use: every keikai command links this package, few of them sign anyone in.
var dummyHash = sync.OnceValue(func() string {
	h, _ := HashPassword("keikai: no such account", Default)
	return h
})

// VerifyNobody spends the time of one verification and returns false.
func VerifyNobody(password string) bool {
	VerifyPassword(dummyHash(), password)
	return false
}

// passwordAlphabet leaves out letters that read alike (0/O, 1/l/I).
const passwordAlphabet = "abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"

// NewPassword returns a random one-time password of 20 characters (about 116 bits).
func NewPassword() (string, error) {
	b := make([]byte, 20)
	for i := range b {
		// Rejection sampling keeps every character equally likely.
		for {
			var c [1]byte
			if _, err := rand.Read(c[:]); err != nil {
				return "", fmt.Errorf("making a password: %w", err)
			}
			if int(c[0]) < 256-256%len(passwordAlphabet) {
				b[i] = passwordAlphabet[int(c[0])%len(passwordAlphabet)]
				break
			}
		}
	}
	return string(b), nil
}
