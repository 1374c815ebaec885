package intake

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
)

// secretBytes is the entropy of status links and API tokens: 256 bits, well above the 128 that
// make guessing hopeless, and still a short URL.
const secretBytes = 32

// NewSecret returns a fresh random secret (base64url, unpadded) and the hash to store for it.
// The secret itself is shown once and never stored.
func NewSecret() (secret string, hash []byte, err error) {
	b := make([]byte, secretBytes)
	if _, err := rand.Read(b); err != nil {
		return "", nil, fmt.Errorf("read random bytes for a secret: %w", err)
	}
	secret = base64.RawURLEncoding.EncodeToString(b)
	return secret, HashSecret(secret), nil
}

// HashSecret is the stored form of a status link or API token. A plain SHA-256 suffices: the
// secrets are random with 256 bits of entropy, so there is nothing for a slow hash to protect.
func HashSecret(secret string) []byte {
	h := sha256.Sum256([]byte(secret))
	return h[:]
}

// WellFormedSecret reports whether s could be a secret from NewSecret, so that garbage is
// rejected before it costs a database lookup.
func WellFormedSecret(s string) bool {
	if len(s) != base64.RawURLEncoding.EncodedLen(secretBytes) {
		return false
	}
	_, err := base64.RawURLEncoding.DecodeString(s)
	return err == nil
}
