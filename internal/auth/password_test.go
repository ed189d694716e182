package auth

import (
	"strings"
	"testing"
)

func TestPasswordHashRoundTrip(t *testing.T) {
	t.Parallel()
	hash, err := HashPassword("correct horse battery staple")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(hash, "$argon2id$v=19$m=19456,t=2,p=1$") {
		t.Errorf("hash %q does not record the OWASP argon2id parameters", hash)
	}
	again, _ := HashPassword("correct horse battery staple")
	if again == hash {
		t.Error("two hashes of one password are equal: the salt is not random")
	}
	cases := map[string]struct {
		password, hash string
		ok, err        bool
	}{
		"right password":   {"correct horse battery staple", hash, true, false},
		"wrong password":   {"correct horse battery stapler", hash, false, false},
		"empty password":   {"", hash, false, false},
		"bcrypt hash":      {"x", "$2a$10$abcdefghijklmnopqrstuv", false, true},
		"tampered version": {"x", strings.Replace(hash, "v=19", "v=16", 1), false, true},
		"truncated":        {"x", hash[:20], false, true},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			ok, err := VerifyPassword(c.password, c.hash)
			if ok != c.ok || (err != nil) != c.err {
				t.Errorf("VerifyPassword = %v, %v; want %v, error %v", ok, err, c.ok, c.err)
			}
		})
	}
}
