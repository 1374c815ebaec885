package web

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/keikai-project/keikai/internal/intake"
	"github.com/keikai-project/keikai/internal/report"
)

// zones are offered in the form's time zone list; any IANA name or offset is accepted.
var zones = []string{"Asia/Tokyo", "UTC", "Asia/Seoul", "Asia/Shanghai", "Asia/Singapore", "Australia/Sydney", "Europe/London", "Europe/Berlin", "America/New_York", "America/Los_Angeles", "+09:00", "+00:00"}

type formPage struct {
	page
	CSRF   string
	Form   *intake.Form
	Errors []string
	// Expired says the form came back because its CSRF token was missing or stale.
	Expired           bool
	Zones             []string
	MaxAttachments    int
	MaxAttachmentSize string
}

func (h *handler) newFormPage(w http.ResponseWriter, r *http.Request, lang string, f *intake.Form) formPage {
	return formPage{
		page:              h.newPage(lang, "form.title"),
		CSRF:              h.csrfToken(w, r),
		Form:              f,
		Zones:             zones,
		MaxAttachments:    h.limits.MaxAttachments,
		MaxAttachmentSize: byteSize(h.limits.MaxAttachment),
	}
}

func (h *handler) reportForm(w http.ResponseWriter, r *http.Request) {
	lang := pickLang(r)
	setLang(w, r, lang)
	f := &intake.Form{TimeZone: "UTC"}
	if lang == "ja" {
		f.TimeZone = "Asia/Tokyo"
	}
	w.Header().Set("Cache-Control", "no-store")
	h.render(w, http.StatusOK, "form", h.newFormPage(w, r, lang, f))
}

type submittedPage struct {
	page
	Tracking   string
	ReceivedAt time.Time
	StatusLink string
}

// submitForm is the public form's POST: rate limit, read the bounded body, check the CSRF
// token, validate, store, and show the tracking number and the secret status link once.
func (h *handler) submitForm(w http.ResponseWriter, r *http.Request) {
	lang := pickLang(r)
	w.Header().Set("Cache-Control", "no-store")
	if ok, wait := h.limiter.allow(clientAddr(r)); !ok {
		secs := int(wait/time.Second) + 1
		w.Header().Set("Retry-After", strconv.Itoa(secs))
		h.renderError(w, lang, http.StatusTooManyRequests, fmt.Sprintf(text(lang, "error.ratelimit"), secs))
		return
	}
	raw, err := readBody(w, r, h.limits.MaxSubmission)
	if err != nil {
		h.bodyError(w, lang, err)
		return
	}
	contentType := r.Header.Get("Content-Type")
	f, err := intake.ParseForm(raw, contentType, h.limits)
	if err != nil {
		h.renderError(w, lang, http.StatusBadRequest, text(lang, "error.badform")+" "+inputMessage(err, lang))
		return
	}
	if f.Lang == "ja" || f.Lang == "en" {
		lang = f.Lang
	}
	if !h.csrfValid(r, f.Other[csrfField]) {
		h.csrfRefused(w, r, lang, f)
		return
	}
	if err := f.Validate(h.limits); err != nil {
		p := h.newFormPage(w, r, lang, f)
		p.Errors = []string{inputMessage(err, lang)}
		h.render(w, http.StatusBadRequest, "form", p)
		return
	}
	rc, err := h.cfg.Intake.Submit(r.Context(), &report.Submission{
		Channel:     report.ChannelForm,
		Raw:         raw,
		ContentType: contentType,
		RemoteAddr:  r.RemoteAddr,
		Lang:        lang,
	})
	if err != nil {
		h.submitError(w, lang, err)
		return
	}
	h.render(w, http.StatusOK, "submitted", submittedPage{
		page:       h.newPage(lang, "done.title"),
		Tracking:   rc.Tracking,
		ReceivedAt: rc.ReceivedAt,
		StatusLink: baseURL(r) + "/status/" + rc.StatusSecret,
	})
}

// csrfRefused answers a form whose CSRF token is missing or stale (a form left open for a day,
// a server restarted with a new key) with the same form, what the reporter typed still in it and
// a fresh token, so that sending again is one click; nothing of the request is stored. A form
// posted from another site is refused without its values, so that no other site can fill in a
// form on this one for a visitor to send.
func (h *handler) csrfRefused(w http.ResponseWriter, r *http.Request, lang string, f *intake.Form) {
	if crossSite(r) {
		h.renderError(w, lang, http.StatusForbidden, text(lang, "error.csrf"))
		return
	}
	p := h.newFormPage(w, r, lang, f)
	p.Expired = true
	h.render(w, http.StatusForbidden, "form", p)
}

// crossSite reports whether the browser says the request came from a page of another site:
// Sec-Fetch-Site, or an Origin naming another host (the host only: behind a proxy that ends TLS
// the scheme differs). A request with neither (an old browser) is taken as this site's.
func crossSite(r *http.Request) bool {
	switch r.Header.Get("Sec-Fetch-Site") {
	case "cross-site", "same-site":
		return true
	case "same-origin", "none":
		return false
	}
	origin := r.Header.Get("Origin")
	if origin == "" {
		return false
	}
	u, err := url.Parse(origin)
	return err != nil || u.Host != r.Host
}

// readBody reads the whole body, at most limit bytes: the raw submission is stored as it came.
func readBody(w http.ResponseWriter, r *http.Request, limit int64) ([]byte, error) {
	return io.ReadAll(http.MaxBytesReader(w, r.Body, limit))
}

func (h *handler) bodyError(w http.ResponseWriter, lang string, err error) {
	var tooBig *http.MaxBytesError
	if errors.As(err, &tooBig) {
		h.renderError(w, lang, http.StatusRequestEntityTooLarge, fmt.Sprintf(text(lang, "error.toolarge"), byteSize(tooBig.Limit)))
		return
	}
	h.renderError(w, lang, http.StatusBadRequest, text(lang, "error.badform"))
}

func (h *handler) submitError(w http.ResponseWriter, lang string, err error) {
	switch {
	case errors.Is(err, intake.ErrTooLarge):
		h.renderError(w, lang, http.StatusRequestEntityTooLarge, fmt.Sprintf(text(lang, "error.toolarge"), byteSize(h.limits.MaxSubmission)))
	case errors.Is(err, intake.ErrUnsupported):
		h.renderError(w, lang, http.StatusUnsupportedMediaType, text(lang, "error.badform"))
	default:
		h.log.Error("store a form submission", "err", err)
		h.renderError(w, lang, http.StatusInternalServerError, text(lang, "error.internal"))
	}
}

func inputMessage(err error, lang string) string {
	var ie *intake.InputError
	if !errors.As(err, &ie) {
		return err.Error()
	}
	key, ok := fieldNames[ie.Field]
	if !ok || ie.Code == intake.CodeRequired {
		return ie.Message(lang)
	}
	// The reporter knows the field by its label on the page, not by its form name: the message
	// without a field starts with the predicate, which follows the label (in Japanese with no
	// space before the particle).
	bare := *ie
	bare.Field = ""
	sep := " "
	if lang == "ja" {
		sep = ""
	}
	return text(lang, key) + sep + strings.TrimSpace(bare.Message(lang))
}

// fieldNames are the message keys of the form's fields as the page names them.
var fieldNames = map[string]string{
	intake.FieldSubject:       "field.subject",
	intake.FieldReporterName:  "field.name",
	intake.FieldOrganization:  "field.organization",
	intake.FieldEmail:         "field.email",
	intake.FieldPhone:         "field.phone",
	intake.FieldPGPKey:        "field.pgp",
	intake.FieldIncidentTime:  "field.time",
	intake.FieldTimeZone:      "field.zone",
	intake.FieldAffectedHosts: "field.affected",
	intake.FieldSourceHosts:   "field.sources",
	intake.FieldDescription:   "field.description",
	intake.FieldExcerpts:      "field.excerpts",
	intake.FieldAttachments:   "field.attachments",
}

// baseURL is the address the client reached this server by, for links it should keep.
func baseURL(r *http.Request) string {
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	return scheme + "://" + r.Host
}

func byteSize(n int64) string {
	switch {
	case n >= 1<<20 && n%(1<<20) == 0:
		return fmt.Sprintf("%d MiB", n>>20)
	case n >= 1<<10 && n%(1<<10) == 0:
		return fmt.Sprintf("%d KiB", n>>10)
	}
	return fmt.Sprintf("%d bytes", n)
}
