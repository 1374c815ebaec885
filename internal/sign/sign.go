// Package sign makes and checks the OpenPGP signatures of keikai's publications: clearsigned
// advisory texts that GnuPG verifies, and detached signatures over CSAF documents and rule
// bundles. It reads clearsigned texts that other teams made with GnuPG too.
//
// Keys are OpenPGP v4 Ed25519 keys, which GnuPG 2.1 and later read. The private key is always
// stored encrypted with a passphrase (OpenPGP's iterated and salted S2K); the passphrase comes
// from a file or the environment, never from the command line, where other users of the machine
// could read it in the process list.
package sign

import (
	"bytes"
	"crypto"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/ProtonMail/go-crypto/openpgp"
	"github.com/ProtonMail/go-crypto/openpgp/armor"
	"github.com/ProtonMail/go-crypto/openpgp/clearsign"
	pgperrors "github.com/ProtonMail/go-crypto/openpgp/errors"
	"github.com/ProtonMail/go-crypto/openpgp/packet"
)

// Errors a caller can tell apart.
var (
	// ErrBadSignature: the signature does not match the data: it was changed after signing.
	ErrBadSignature = errors.New("the signature does not match: the signed text was changed after signing, or the signature is damaged")
	// ErrUnknownSigner: the signature is good only if one has the signer's key, which the
	// keyring does not hold.
	ErrUnknownSigner = errors.New("the signing key is not in the keyring")
	// ErrNotSigned: there is no signature to check.
	ErrNotSigned = errors.New("not signed")
	// ErrPassphrase: the passphrase does not unlock the private key.
	ErrPassphrase = errors.New("the passphrase does not unlock the private key")
)

// config is what keikai signs with: SHA-256, which every GnuPG in use accepts.
func config(now time.Time) *packet.Config {
	return &packet.Config{
		DefaultHash: crypto.SHA256,
		Algorithm:   packet.PubKeyAlgoEdDSA,
		Curve:       packet.Curve25519,
		Time:        func() time.Time { return now },
	}
}

// Signer is an unlocked private key.
type Signer struct {
	entity *openpgp.Entity
}

// Generate makes a new signing key for the given identity ("JPCERT/CC", "info@jpcert.or.jp")
// and returns the private key, armored and encrypted with passphrase, and the signer.
func Generate(name, email string, passphrase []byte, now time.Time) (armoredPrivate []byte, s *Signer, err error) {
	if len(passphrase) == 0 {
		return nil, nil, errors.New("an empty passphrase would store the private key unprotected; give one")
	}
	e, err := openpgp.NewEntity(name, "", email, config(now))
	if err != nil {
		return nil, nil, fmt.Errorf("generate key: %w", err)
	}
	armored, err := armorPrivate(e, passphrase, now)
	if err != nil {
		return nil, nil, err
	}
	return armored, &Signer{entity: e}, nil
}

// armorPrivate serializes e's private key encrypted with passphrase, leaving e unlocked.
func armorPrivate(e *openpgp.Entity, passphrase []byte, now time.Time) ([]byte, error) {
	var buf bytes.Buffer
	w, err := armor.Encode(&buf, openpgp.PrivateKeyType, nil)
	if err != nil {
		return nil, err
	}
	// Serialize a locked copy, so that the caller's entity stays usable.
	locked, err := reread(e)
	if err != nil {
		return nil, err
	}
	if err := locked.EncryptPrivateKeys(passphrase, config(now)); err != nil {
		return nil, fmt.Errorf("encrypt private key: %w", err)
	}
	if err := locked.SerializePrivateWithoutSigning(w, nil); err != nil {
		return nil, fmt.Errorf("write private key: %w", err)
	}
	if err := w.Close(); err != nil {
		return nil, err
	}
	buf.WriteByte('\n')
	return buf.Bytes(), nil
}

// reread copies an entity by serializing and parsing it.
func reread(e *openpgp.Entity) (*openpgp.Entity, error) {
	var buf bytes.Buffer
	if err := e.SerializePrivateWithoutSigning(&buf, nil); err != nil {
		return nil, fmt.Errorf("copy key: %w", err)
	}
	return openpgp.ReadEntity(packet.NewReader(&buf))
}

// Unlock reads an armored private key (keikai's, or one exported with gpg --export-secret-keys
// --armor) and decrypts it with passphrase.
func Unlock(armoredPrivate []byte, passphrase []byte) (*Signer, error) {
	return guarded(func() (*Signer, error) { return unlock(armoredPrivate, passphrase) })
}

func unlock(armoredPrivate []byte, passphrase []byte) (*Signer, error) {
	el, err := openpgp.ReadArmoredKeyRing(bytes.NewReader(armoredPrivate))
	if err != nil {
		return nil, fmt.Errorf("read private key: %w", err)
	}
	if len(el) != 1 || el[0].PrivateKey == nil {
		return nil, fmt.Errorf("read private key: want exactly one private key, found %d keys", len(el))
	}
	e := el[0]
	if err := e.DecryptPrivateKeys(passphrase); err != nil {
		return nil, fmt.Errorf("%w (%v)", ErrPassphrase, err)
	}
	if _, ok := e.SigningKey(time.Now()); !ok {
		return nil, errors.New("the key has no usable signing key (expired or revoked?)")
	}
	return &Signer{entity: e}, nil
}

// Import re-encrypts a private key from elsewhere (GnuPG) for keikai's key store: it is unlocked
// with oldPassphrase (nil when it is not encrypted) and stored under newPassphrase.
func Import(armoredPrivate, oldPassphrase, newPassphrase []byte, now time.Time) ([]byte, *Signer, error) {
	if len(newPassphrase) == 0 {
		return nil, nil, errors.New("an empty passphrase would store the private key unprotected; give one")
	}
	s, err := Unlock(armoredPrivate, oldPassphrase)
	if err != nil {
		return nil, nil, err
	}
	armored, err := armorPrivate(s.entity, newPassphrase, now)
	if err != nil {
		return nil, nil, err
	}
	return armored, s, nil
}

// Fingerprint is the primary key's fingerprint in upper-case hexadecimal.
func (s *Signer) Fingerprint() string {
	return fmt.Sprintf("%X", s.entity.PrimaryKey.Fingerprint)
}

// FormatFingerprint groups a hexadecimal fingerprint in fours, as GnuPG prints it.
func FormatFingerprint(fp string) string {
	fp = strings.ToUpper(strings.ReplaceAll(fp, " ", ""))
	var parts []string
	for len(fp) > 4 {
		parts = append(parts, fp[:4])
		fp = fp[4:]
	}
	return strings.Join(append(parts, fp), " ")
}

// PublicFromPrivate returns the armored public key of a stored private key; the passphrase is
// not needed, since the public half is not encrypted.
func PublicFromPrivate(armoredPrivate []byte) ([]byte, error) {
	return guarded(func() ([]byte, error) { return publicFromPrivate(armoredPrivate) })
}

func publicFromPrivate(armoredPrivate []byte) ([]byte, error) {
	el, err := openpgp.ReadArmoredKeyRing(bytes.NewReader(armoredPrivate))
	if err != nil {
		return nil, fmt.Errorf("read private key: %w", err)
	}
	if len(el) != 1 {
		return nil, fmt.Errorf("read private key: want exactly one key, found %d", len(el))
	}
	return (&Signer{entity: el[0]}).PublicKey()
}

// Identity is the key's primary user ID ("JPCERT/CC <info@jpcert.or.jp>").
func (s *Signer) Identity() string {
	if id := s.entity.PrimaryIdentity(); id != nil {
		return id.Name
	}
	return ""
}

// PublicKey is the armored public key, for export and for the CSAF provider's key URL.
func (s *Signer) PublicKey() ([]byte, error) {
	var buf bytes.Buffer
	w, err := armor.Encode(&buf, openpgp.PublicKeyType, nil)
	if err != nil {
		return nil, err
	}
	if err := s.entity.Serialize(w); err != nil {
		return nil, fmt.Errorf("write public key: %w", err)
	}
	if err := w.Close(); err != nil {
		return nil, err
	}
	buf.WriteByte('\n')
	return buf.Bytes(), nil
}

// Clearsign wraps text in an OpenPGP clearsigned message, as the seeds are. Lines of text must
// end in "\n"; trailing spaces are not part of what is signed (RFC 4880 §7.1), so the text
// renderings never carry them.
func (s *Signer) Clearsign(text []byte, now time.Time) ([]byte, error) {
	key, ok := s.entity.SigningKey(now)
	if !ok {
		return nil, errors.New("the key has no usable signing key")
	}
	var buf bytes.Buffer
	w, err := clearsign.Encode(&buf, key.PrivateKey, config(now))
	if err != nil {
		return nil, fmt.Errorf("clearsign: %w", err)
	}
	// The line break before the signature armor belongs to the armor, not to the text.
	if _, err := w.Write(bytes.TrimSuffix(text, []byte("\n"))); err != nil {
		return nil, fmt.Errorf("clearsign: %w", err)
	}
	if err := w.Close(); err != nil {
		return nil, fmt.Errorf("clearsign: %w", err)
	}
	buf.WriteByte('\n')
	return buf.Bytes(), nil
}

// DetachSign makes an armored detached signature over data (binary mode), as CSAF requires for
// its .asc files and keikai for rule bundles.
func (s *Signer) DetachSign(data []byte, now time.Time) ([]byte, error) {
	var buf bytes.Buffer
	if err := openpgp.ArmoredDetachSign(&buf, s.entity, bytes.NewReader(data), config(now)); err != nil {
		return nil, fmt.Errorf("sign: %w", err)
	}
	buf.WriteByte('\n')
	return buf.Bytes(), nil
}

// Keyring is a set of public keys that signatures are checked against.
type Keyring struct {
	entities openpgp.EntityList
}

// ErrMalformed: the OpenPGP data could not be parsed.
var ErrMalformed = errors.New("malformed OpenPGP data")

// guarded runs a go-crypto parser. Its packet parsers panic on some malformed input (signature
// subpackets, empty clearsigned texts: found by the fuzz targets here); input from outside must
// never crash keikai, so such a panic becomes ErrMalformed.
func guarded[T any](parse func() (T, error)) (v T, err error) {
	defer func() {
		if r := recover(); r != nil {
			var zero T
			v, err = zero, fmt.Errorf("%w (the parser failed: %v)", ErrMalformed, r)
		}
	}()
	return parse()
}

// ReadKeyring reads public keys, armored (gpg --export --armor) or binary (gpg --export), one
// or many concatenated.
func ReadKeyring(data []byte) (*Keyring, error) {
	return guarded(func() (*Keyring, error) { return readKeyring(data) })
}

func readKeyring(data []byte) (*Keyring, error) {
	var el openpgp.EntityList
	var err error
	if bytes.Contains(data, []byte("-----BEGIN PGP")) {
		for _, block := range splitArmor(data) {
			more, e := openpgp.ReadArmoredKeyRing(bytes.NewReader(block))
			if e != nil {
				return nil, fmt.Errorf("read keyring: %w", e)
			}
			el = append(el, more...)
		}
	} else {
		el, err = openpgp.ReadKeyRing(bytes.NewReader(data))
	}
	if err != nil {
		return nil, fmt.Errorf("read keyring: %w", err)
	}
	if len(el) == 0 {
		return nil, errors.New("read keyring: no key in it")
	}
	return &Keyring{entities: el}, nil
}

// splitArmor splits concatenated armored blocks, which ReadArmoredKeyRing reads one at a time.
func splitArmor(data []byte) [][]byte {
	var out [][]byte
	const end = "-----END PGP"
	for {
		i := bytes.Index(data, []byte("-----BEGIN PGP"))
		if i < 0 {
			return out
		}
		data = data[i:]
		j := bytes.Index(data, []byte(end))
		if j < 0 {
			return append(out, data)
		}
		k := bytes.IndexByte(data[j:], '\n')
		if k < 0 {
			return append(out, data)
		}
		out = append(out, data[:j+k+1])
		data = data[j+k+1:]
	}
}

// Verified describes a good signature.
type Verified struct {
	// Text is what was signed, as the signer wrote it (clearsigned texts: dash-unescaped).
	Text        []byte
	Fingerprint string
	Signer      string
	Signed      time.Time
}

// VerifyClearsigned checks a clearsigned text (keikai's or GnuPG's) against the keyring.
func (k *Keyring) VerifyClearsigned(data []byte) (*Verified, error) {
	return guarded(func() (*Verified, error) { return k.verifyClearsigned(data) })
}

func (k *Keyring) verifyClearsigned(data []byte) (*Verified, error) {
	b, err := decodeClearsigned(data)
	if err != nil {
		return nil, err
	}
	sig, signer, err := openpgp.VerifyDetachedSignature(k.entities, bytes.NewReader(b.Bytes), b.ArmoredSignature.Body, nil)
	if err != nil {
		return nil, classify(err)
	}
	return verified(b.Plaintext, sig, signer), nil
}

// decodeClearsigned splits a clearsigned text.
func decodeClearsigned(data []byte) (*clearsign.Block, error) {
	b, _ := clearsign.Decode(data)
	if b == nil {
		return nil, fmt.Errorf("%w: no \"-----BEGIN PGP SIGNED MESSAGE-----\" block", ErrNotSigned)
	}
	return b, nil
}

// VerifyDetached checks an armored or binary detached signature over data.
func (k *Keyring) VerifyDetached(data, signature []byte) (*Verified, error) {
	return guarded(func() (*Verified, error) { return k.verifyDetached(data, signature) })
}

func (k *Keyring) verifyDetached(data, signature []byte) (*Verified, error) {
	if len(bytes.TrimSpace(signature)) == 0 {
		return nil, ErrNotSigned
	}
	var sigReader io.Reader = bytes.NewReader(signature)
	if bytes.HasPrefix(bytes.TrimSpace(signature), []byte("-----BEGIN PGP SIGNATURE-----")) {
		block, err := armor.Decode(bytes.NewReader(signature))
		if err != nil {
			return nil, fmt.Errorf("read signature: %w", err)
		}
		sigReader = block.Body
	}
	sig, signer, err := openpgp.VerifyDetachedSignature(k.entities, bytes.NewReader(data), sigReader, nil)
	if err != nil {
		return nil, classify(err)
	}
	return verified(data, sig, signer), nil
}

func verified(text []byte, sig *packet.Signature, signer *openpgp.Entity) *Verified {
	v := &Verified{Text: text, Fingerprint: fmt.Sprintf("%X", signer.PrimaryKey.Fingerprint), Signed: sig.CreationTime}
	if id := signer.PrimaryIdentity(); id != nil {
		v.Signer = id.Name
	}
	return v
}

func classify(err error) error {
	switch {
	case errors.Is(err, pgperrors.ErrUnknownIssuer):
		return ErrUnknownSigner
	}
	var se pgperrors.SignatureError
	if errors.As(err, &se) || strings.Contains(err.Error(), "hash tag doesn't match") {
		return fmt.Errorf("%w (%v)", ErrBadSignature, err)
	}
	return fmt.Errorf("check signature: %w", err)
}
