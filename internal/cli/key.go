package cli

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"os"
	"time"

	"github.com/keikai-project/keikai/internal/escape"
	"github.com/keikai-project/keikai/internal/sign"
)

const keyHelp = `
Subcommands:
  generate  make a new OpenPGP signing key: keikai key generate --name NAME --email ADDR --key FILE
  import    store a GnuPG private key (gpg --export-secret-keys --armor) for keikai: keikai key import --key FILE SOURCE
  export    print the public key, for the website and for sites' keyrings: keikai key export --key FILE

The private key FILE is always encrypted. The passphrase is read from --passphrase-file or from
the environment variable KEIKAI_PASSPHRASE, never from a flag's value (the process list would
show it). import reads the source key's own passphrase from --source-passphrase-file, when it has
one.`

// passphraseEnv names the environment variable that may hold the key's passphrase.
const passphraseEnv = "KEIKAI_PASSPHRASE"

func runKey(env *Env, args []string) int {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		fmt.Fprintf(env.Stdout, "Usage: keikai key <generate|import|export> [flags]\n%s\n", keyHelp)
		if len(args) == 0 {
			return exitError
		}
		return exitClean
	}
	sub, args := args[0], args[1:]
	var keyFile, passFile, name, email, sourcePassFile string
	fs := newFlagSet(env, "key "+sub, "[flags]", keyHelp)
	fs.StringVar(&keyFile, "key", "", "the private key `FILE`")
	if sub != "export" {
		fs.StringVar(&passFile, "passphrase-file", "", "read the passphrase from `FILE` (default: $"+passphraseEnv+")")
	}
	if sub == "generate" {
		fs.StringVar(&name, "name", "", "the key owner's `name` (the team)")
		fs.StringVar(&email, "email", "", "the key owner's `address`")
	}
	if sub == "import" {
		fs.StringVar(&sourcePassFile, "source-passphrase-file", "", "the passphrase of the key being imported, from `FILE`")
	}
	rest, err := parseInterleaved(fs, args)
	if errors.Is(err, flag.ErrHelp) {
		return exitClean
	}
	if err != nil {
		return fail(env, "key "+sub, err)
	}
	if keyFile == "" {
		return fail(env, "key "+sub, fmt.Errorf("%w: --key FILE is required", errUsage))
	}
	switch sub {
	case "generate":
		if len(rest) > 0 || name == "" || email == "" {
			return fail(env, "key generate", fmt.Errorf("%w: give --name and --email, and no arguments", errUsage))
		}
		pass, err := readPassphrase(env, passFile)
		if err != nil {
			return fail(env, "key generate", err)
		}
		priv, s, err := sign.Generate(name, email, pass, time.Now())
		if err != nil {
			return fail(env, "key generate", err)
		}
		if err := writeNewFile(keyFile, priv); err != nil {
			return fail(env, "key generate", err)
		}
		fmt.Fprintf(env.Stdout, "key %s\nfingerprint %s\n", escape.String(s.Identity()), sign.FormatFingerprint(s.Fingerprint()))
		return exitClean
	case "import":
		if len(rest) != 1 {
			return fail(env, "key import", fmt.Errorf("%w: give the file with the key to import", errUsage))
		}
		src, err := os.ReadFile(rest[0])
		if err != nil {
			return fail(env, "key import", err)
		}
		var oldPass []byte
		if sourcePassFile != "" {
			if oldPass, err = readPassFile(sourcePassFile); err != nil {
				return fail(env, "key import", err)
			}
		}
		pass, err := readPassphrase(env, passFile)
		if err != nil {
			return fail(env, "key import", err)
		}
		priv, s, err := sign.Import(src, oldPass, pass, time.Now())
		if err != nil {
			return fail(env, "key import", err)
		}
		if err := writeNewFile(keyFile, priv); err != nil {
			return fail(env, "key import", err)
		}
		fmt.Fprintf(env.Stdout, "key %s\nfingerprint %s\n", escape.String(s.Identity()), sign.FormatFingerprint(s.Fingerprint()))
		return exitClean
	case "export":
		if len(rest) > 0 {
			return fail(env, "key export", fmt.Errorf("%w: unexpected argument %q", errUsage, rest[0]))
		}
		pub, err := publicKeyOf(keyFile)
		if err != nil {
			return fail(env, "key export", err)
		}
		env.Stdout.Write(pub)
		return exitClean
	}
	return fail(env, "key", fmt.Errorf("%w: unknown subcommand %q: use generate, import or export", errUsage, sub))
}

// publicKeyOf reads the public half of a stored key; no passphrase is needed for it.
func publicKeyOf(keyFile string) ([]byte, error) {
	data, err := os.ReadFile(keyFile)
	if err != nil {
		return nil, err
	}
	kr, err := sign.PublicFromPrivate(data)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", keyFile, err)
	}
	return kr, nil
}

// loadSigner unlocks the key in keyFile with the passphrase from passFile or the environment.
func loadSigner(env *Env, keyFile, passFile string) (*sign.Signer, error) {
	data, err := os.ReadFile(keyFile)
	if err != nil {
		return nil, fmt.Errorf("%w (make one with keikai key generate)", err)
	}
	pass, err := readPassphrase(env, passFile)
	if err != nil {
		return nil, err
	}
	s, err := sign.Unlock(data, pass)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", keyFile, err)
	}
	return s, nil
}

func readPassphrase(env *Env, passFile string) ([]byte, error) {
	if passFile != "" {
		return readPassFile(passFile)
	}
	if p := env.Getenv(passphraseEnv); p != "" {
		return []byte(p), nil
	}
	return nil, fmt.Errorf("%w: no passphrase: give --passphrase-file FILE or set %s", errUsage, passphraseEnv)
}

// readPassFile reads a passphrase file; its final line break is not part of the passphrase.
func readPassFile(name string) ([]byte, error) {
	data, err := os.ReadFile(name)
	if err != nil {
		return nil, fmt.Errorf("passphrase file: %w", err)
	}
	data = bytes.TrimSuffix(bytes.TrimSuffix(data, []byte("\n")), []byte("\r"))
	if len(data) == 0 {
		return nil, fmt.Errorf("passphrase file %s is empty", name)
	}
	return data, nil
}

// writeNewFile writes a private key readable by its owner only, never over an existing file.
func writeNewFile(name string, data []byte) error {
	f, err := os.OpenFile(name, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return fmt.Errorf("%w (keikai never overwrites a key; remove it first or pick another name)", err)
	}
	if _, err := f.Write(data); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
