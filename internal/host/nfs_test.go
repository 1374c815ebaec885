package host

import (
	"context"
	"os"
	"path/filepath"
	"testing"
)

func TestNFSUse(t *testing.T) {
	tests := []struct {
		name  string
		files map[string]string
		want  string
	}{
		{"nothing readable", nil, "unknown"},
		{"server exports a directory", map[string]string{"etc/exports": "# comment\n/srv/nfs 192.0.2.0/24(rw,sync)\n"}, "yes"},
		{"empty exports, no mounts", map[string]string{"etc/exports": "# nothing\n\n", "etc/fstab": "/dev/sda1 / ext4 defaults 0 1\n"}, "no"},
		{"client mounts nfs in fstab", map[string]string{"etc/fstab": "/dev/sda1 / ext4 defaults 0 1\nfileserv:/home /home nfs rw,hard 0 0\n"}, "yes"},
		{"nfs4 in the mounts table", map[string]string{"proc/mounts": "fileserv:/ /mnt nfs4 rw,relatime 0 0\n"}, "yes"},
		{"commented nfs line", map[string]string{"etc/fstab": "#fileserv:/home /home nfs rw 0 0\n"}, "no"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			root := t.TempDir()
			for p, content := range tt.files {
				full := filepath.Join(root, p)
				if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(full, []byte(content), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			r, err := newRootFS(root)
			if err != nil {
				t.Fatal(err)
			}
			c := &collector{ctx: context.Background(), r: r}
			if got := c.nfsUse(); got != tt.want {
				t.Errorf("nfsUse() = %q, want %q", got, tt.want)
			}
		})
	}
}
