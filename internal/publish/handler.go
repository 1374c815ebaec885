package publish

import (
	"bytes"
	"fmt"
	"html"
	"io"
	"io/fs"
	"net/http"
	"net/url"
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

// csafRoot is the CSAF provider's folder, the only one whose directories are listed.
const csafRoot = ".well-known/csaf"

// Handler serves a published tree (os.DirFS(out), or any fs.FS with the same layout) read-only:
// GET and HEAD only, the media types CSAF and RFC 9116 expect, and directory listings only under
// /.well-known/csaf/, where CSAF's directory-based distribution requires them (requirement 14).
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
		if err == nil && info.IsDir() && (name == csafRoot || strings.HasPrefix(name, csafRoot+"/")) {
			listDirectory(w, r, tree, name)
			return
		}
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

// listDirectory writes a plain HTML list of a directory's entries.
func listDirectory(w http.ResponseWriter, r *http.Request, tree fs.FS, name string) {
	if !strings.HasSuffix(r.URL.Path, "/") {
		http.Redirect(w, r, r.URL.Path+"/", http.StatusMovedPermanently)
		return
	}
	entries, err := fs.ReadDir(tree, name)
	if err != nil {
		http.NotFound(w, r)
		return
	}
	var b strings.Builder
	b.WriteString("<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>Index of /")
	b.WriteString(html.EscapeString(name))
	b.WriteString("/</title></head><body><pre>\n")
	for _, e := range entries {
		n, href := e.Name(), url.PathEscape(e.Name())
		if e.IsDir() {
			n, href = n+"/", href+"/"
		}
		fmt.Fprintf(&b, "<a href=\"%s\">%s</a>\n", html.EscapeString(href), html.EscapeString(n))
	}
	b.WriteString("</pre></body></html>\n")
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	io.WriteString(w, b.String())
}
