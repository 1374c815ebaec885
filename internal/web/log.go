package web

import (
	"log/slog"
	"net/http"
	"strings"
	"time"
)

// recorder notes the status and size of a response for the request log.
type recorder struct {
	http.ResponseWriter
	status int
	bytes  int64
}

func (r *recorder) WriteHeader(code int) {
	if r.status == 0 {
		r.status = code
	}
	r.ResponseWriter.WriteHeader(code)
}

func (r *recorder) Write(b []byte) (int, error) {
	if r.status == 0 {
		r.status = http.StatusOK
	}
	n, err := r.ResponseWriter.Write(b)
	r.bytes += int64(n)
	return n, err
}

func (r *recorder) Unwrap() http.ResponseWriter { return r.ResponseWriter }

// logRequests writes one log record per request. The query string is left out and status links
// are redacted: both may carry secrets that must not end up in log files.
func (h *handler) logRequests(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		rec := &recorder{ResponseWriter: w}
		next.ServeHTTP(rec, r)
		if rec.status == 0 {
			rec.status = http.StatusOK
		}
		h.log.LogAttrs(r.Context(), levelFor(rec.status), "http request",
			slog.String("method", r.Method),
			slog.String("path", redactPath(r.URL.Path)),
			slog.Int("status", rec.status),
			slog.Duration("duration", time.Since(start)),
			slog.Int64("bytes", rec.bytes),
			slog.String("remote", clientAddr(r)),
		)
	})
}

// redactPath hides the secret of a status link.
func redactPath(p string) string {
	if strings.HasPrefix(p, "/status/") {
		return "/status/[redacted]"
	}
	if len(p) > 256 {
		return p[:256] + "..."
	}
	return p
}

// levelFor logs server errors as errors and the rest as information.
func levelFor(status int) slog.Level {
	if status >= 500 {
		return slog.LevelError
	}
	return slog.LevelInfo
}
