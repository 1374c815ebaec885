package publish

import (
	"bytes"
	"io"
	"io/fs"
	"net/http"
	"path"
	"strings"
)

// contentTypes are the media types of the tree's files. The ISO-2022-JP text says so, or a
// browser would show it as mojibake.
var contentTypes = map[string]string{
	".json":   "application/json",
	".asc":    "application/pgp-signature",
	".sha256": "text/plain; charset=utf-8",
	".sha512": "text/plain; charset=utf-8",
	".txt":    "text/plain; charset=utf-8",
	".csv":    "text/csv; charset=utf-8",
	".atom":   "application/atom+xml",
	".html":   "text/html; charset=utf-8",
}

// Handler serves a published tree (os.DirFS(out), or any fs.FS with the same layout) read-only:
// GET and HEAD only, no directory listings, and the media types CSAF and RFC 9116 expect.
func Handler(tree fs.FS) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			w.Header().Set("Allow", "GET, HEAD")
			http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
			return
		}
		name := strings.TrimPrefix(path.Clean("/"+r.URL.Path), "/")
		if name == "" {
			name = "index.html"
		}
		f, err := tree.Open(name)
		if err != nil {
			http.NotFound(w, r)
			return
		}
		defer f.Close()
		info, err := f.Stat()
		if err != nil || info.IsDir() {
			http.NotFound(w, r)
			return
		}
		content, ok := f.(io.ReadSeeker)
		if !ok {
			data, err := io.ReadAll(f)
			if err != nil {
				http.Error(w, "cannot read the file", http.StatusInternalServerError)
				return
			}
			content = bytes.NewReader(data)
		}
		w.Header().Set("Content-Type", contentType(name))
		w.Header().Set("X-Content-Type-Options", "nosniff")
		if path.Ext(name) == ".html" {
			w.Header().Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'")
		}
		http.ServeContent(w, r, name, info.ModTime(), content)
	})
}

func contentType(name string) string {
	switch {
	case strings.HasSuffix(name, ".iso-2022-jp.txt"):
		return "text/plain; charset=iso-2022-jp"
	case strings.Contains(name, "/openpgp/") && path.Ext(name) == ".asc":
		return "application/pgp-keys"
	}
	if ct, ok := contentTypes[path.Ext(name)]; ok {
		return ct
	}
	return "application/octet-stream"
}
