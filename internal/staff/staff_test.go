package staff

import (
	"errors"
	"strings"
	"testing"
	"time"
)

func TestRoleAllows(t *testing.T) {
	tests := []struct {
		have, need Role
		want       bool
	}{
		{RoleAdmin, RoleAdmin, true}, {RoleAdmin, RoleAnalyst, true}, {RoleAdmin, RoleReadOnly, true},
		{RoleAnalyst, RoleAdmin, false}, {RoleAnalyst, RoleAnalyst, true}, {RoleAnalyst, RoleReadOnly, true},
		{RoleReadOnly, RoleAdmin, false}, {RoleReadOnly, RoleAnalyst, false}, {RoleReadOnly, RoleReadOnly, true},
		{"root", RoleReadOnly, false}, {"", RoleReadOnly, false}, {RoleAdmin, "", false}, {RoleAdmin, "root", false},
	}
	for _, tt := range tests {
		if got := tt.have.Allows(tt.need); got != tt.want {
			t.Errorf("%q.Allows(%q) = %v, want %v", tt.have, tt.need, got, tt.want)
		}
	}
	for _, s := range []string{"admin", "analyst", "read-only"} {
		if r, err := ParseRole(s); err != nil || string(r) != s {
			t.Errorf("ParseRole(%q) = %q, %v", s, r, err)
		}
	}
	for _, s := range []string{"", "Admin", "readonly", "root"} {
		if _, err := ParseRole(s); !errors.Is(err, ErrRole) {
			t.Errorf("ParseRole(%q) = %v, want ErrRole", s, err)
		}
	}
}

func TestCheckName(t *testing.T) {
	for name, ok := range map[string]bool{
		"admin": true, "taro.yamada": true, "a": true, "9lives": true, "read-only_1": true, strings.Repeat("a", 64): true,
		"": false, "Admin": false, ".hidden": false, "-x": false, "山田": false, "a b": false, "a@b": false,
		strings.Repeat("a", 65): false, "x\x1b[31m": false,
	} {
		if err := CheckName(name); (err == nil) != ok {
			t.Errorf("CheckName(%q) = %v, want ok=%v", name, err, ok)
		}
	}
}

func TestCheckPassword(t *testing.T) {
	tests := []struct {
		password string
		want     error
	}{
		{"twelve chars", nil},
		{"パスワードは十二文字以上です", nil}, // characters, not bytes
		{"eleven char", ErrPasswordShort},
		{"パスワード", ErrPasswordShort},
		{strings.Repeat("x", MaxPasswordLen+1), ErrPasswordLong},
		{"twelve chars\n", ErrPasswordEncoded},
		{"twelve chars\xff", ErrPasswordEncoded},
		{"TaroYamada99", ErrPasswordIsName},
	}
	for _, tt := range tests {
		if err := CheckPassword("taroyamada99", tt.password); !errors.Is(err, tt.want) {
			t.Errorf("CheckPassword(%q) = %v, want %v", tt.password, err, tt.want)
		}
	}
}

func TestPasswordHash(t *testing.T) {
	h, err := HashPassword("correct horse battery staple", Default)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(h, "$argon2id$v=19$m=19456,t=2,p=1$") {
		t.Errorf("hash %q does not record its parameters", h)
	}
	h2, _ := HashPassword("correct horse battery staple", Default)
	if h == h2 {
		t.Error("two hashes of one password are equal: no salt")
	}
	for password, want := range map[string]bool{"correct horse battery staple": true, "correct horse battery stapl": false, "": false} {
		if ok, err := VerifyPassword(h, password); err != nil || ok != want {
			t.Errorf("VerifyPassword(%q) = %v, %v; want %v", password, ok, err, want)
		}
	}
	// A hash made with other (weaker) parameters still verifies, and asks to be rehashed.
	weak := Params{Memory: 64, Time: 1, Threads: 1, KeyLen: 32, SaltLen: 16}
	old, _ := HashPassword("correct horse battery staple", weak)
	if ok, err := VerifyPassword(old, "correct horse battery staple"); !ok || err != nil {
		t.Errorf("a hash of other parameters: %v, %v", ok, err)
	}
	if !NeedsRehash(old, Default) || NeedsRehash(h, Default) {
		t.Error("NeedsRehash does not tell the weak hash from the current one")
	}
}

func TestParseHashRefuses(t *testing.T) {
	for _, h := range []string{
		"", "password", "$2b$12$abcdefghijklmnopqrstuv", "$argon2i$v=19$m=64,t=1,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaA",
		"$argon2id$v=16$m=64,t=1,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaA",
		"$argon2id$v=19$m=64,t=0,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaA",
		"$argon2id$v=19$m=4194304,t=1,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaA", // 4 GiB
		"$argon2id$v=19$m=64,t=1000,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaA",
		"$argon2id$v=19$m=64,t=1,p=1,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaA",
		"$argon2id$v=19$m=64,t=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaA",
		"$argon2id$v=19$m=064,t=1,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaA",
		"$argon2id$v=19$m=64,t=1,p=1$c2Fs$aGFzaGhhc2hoYXNoaGFzaA",
		"$argon2id$v=19$m=64,t=1,p=1$c2FsdHNhbHQ$aGFzaA",
		"$argon2id$v=19$m=64,t=1,p=1$c2FsdHNhbHQ=$aGFzaGhhc2hoYXNoaGFzaA",
	} {
		if _, _, _, err := ParseHash(h); !errors.Is(err, ErrHash) {
			t.Errorf("ParseHash(%q) = %v, want ErrHash", h, err)
		}
		if ok, err := VerifyPassword(h, "password"); ok || err == nil {
			t.Errorf("VerifyPassword(%q) = %v, %v; want an error", h, ok, err)
		}
	}
}

func FuzzParseHash(f *testing.F) {
	f.Add("$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHQ$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8")
	f.Add("$argon2id$v=19$m=8,t=1,p=1$$")
	f.Fuzz(func(t *testing.T, s string) {
		p, salt, key, err := ParseHash(s)
		if err != nil {
			return
		}
		if p.Memory > maxMemory || p.Time > maxTime || p.Time == 0 || p.Threads == 0 || len(key) < minKeyLen || len(salt) < minSaltLen {
			t.Fatalf("ParseHash(%q) accepted parameters out of bounds: %+v", s, p)
		}
		if again := encodePHC(p, salt, key); again != s {
			t.Fatalf("ParseHash(%q) accepted a non-canonical form (canonical %q)", s, again)
		}
	})
}

func TestNewPassword(t *testing.T) {
	seen := map[string]bool{}
	for range 100 {
		p, err := NewPassword()
		if err != nil || len(p) != 20 || CheckPassword("admin", p) != nil || seen[p] || strings.ContainsAny(p, "0O1lI") {
			t.Fatalf("NewPassword = %q, %v", p, err)
		}
		seen[p] = true
	}
}

// TestTOTPVectors: the SHA-1 test vectors of RFC 6238 appendix B, truncated to six digits (the
// last six of the eight-digit values).
func TestTOTPVectors(t *testing.T) {
	secret := []byte("12345678901234567890")
	for unix, want := range map[int64]string{
		59: "287082", 1111111109: "081804", 1111111111: "050471", 1234567890: "005924", 2000000000: "279037", 20000000000: "353130",
	} {
		if got := TOTPCode(secret, TOTPStep(time.Unix(unix, 0))); got != want {
			t.Errorf("TOTP at %d = %s, want %s", unix, got, want)
		}
	}
}

func TestVerifyTOTP(t *testing.T) {
	secret := []byte("12345678901234567890")
	now := time.Unix(1111111111, 0)
	step := TOTPStep(now)
	tests := []struct {
		code string
		step int64
		ok   bool
	}{
		{TOTPCode(secret, step), step, true},
		{TOTPCode(secret, step-1), step - 1, true},
		{TOTPCode(secret, step+1), step + 1, true},
		{" " + TOTPCode(secret, step)[:3] + " " + TOTPCode(secret, step)[3:], step, true},
		{TOTPCode(secret, step-2), 0, false},
		{TOTPCode(secret, step+2), 0, false},
		{"", 0, false},
		{"12345", 0, false},
		{"1234567", 0, false},
	}
	for _, tt := range tests {
		got, ok := VerifyTOTP(secret, tt.code, now)
		if ok != tt.ok || got != tt.step {
			t.Errorf("VerifyTOTP(%q) = %d, %v; want %d, %v", tt.code, got, ok, tt.step, tt.ok)
		}
	}
}

func TestTOTPSecretAndURI(t *testing.T) {
	s, err := NewTOTPSecret()
	if err != nil || len(s) != 20 {
		t.Fatal(s, err)
	}
	enc := EncodeTOTPSecret(s)
	if len(enc) != 32 || strings.Contains(enc, "=") {
		t.Errorf("encoded secret %q: want 32 base32 characters, no padding", enc)
	}
	back, err := DecodeTOTPSecret(strings.ToLower(enc[:4] + " " + enc[4:]))
	if err != nil || string(back) != string(s) {
		t.Errorf("DecodeTOTPSecret: %v", err)
	}
	if _, err := DecodeTOTPSecret("AAAA"); err == nil {
		t.Error("a short secret was taken")
	}
	uri := TOTPURI("keikai CSIRT", "taro", []byte("12345678901234567890"))
	want := "otpauth://totp/keikai%20CSIRT:taro?algorithm=SHA1&digits=6&issuer=keikai+CSIRT&period=30&secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"
	if uri != want {
		t.Errorf("TOTPURI = %s\nwant      %s", uri, want)
	}
}
