package web

// The partner API:
//
//	POST /api/v1/reports          Authorization: Bearer TOKEN (keikai token add NAME)
//	                              Content-Type: application/json, or multipart/form-data with the
//	                              same field names and files as "attachments"
//	                              Idempotency-Key: optional; a retry with the same key and body
//	                              stores nothing and answers the first receipt with 200
//	  {"reporter_name", "organization", "email", "phone", "pgp_key": strings,
//	   "disclosure_allowed": bool, "incident_time": "2000-05-14T12:10", "time_zone": "Asia/Tokyo",
//	   "affected_hosts", "source_hosts": [strings], "description", "subject", "lang": strings,
//	   "excerpts": [log text], "attachments": [{"name", "content_type", "data": base64}]}
//	  201 {"id", "tracking", "received_at", "status_url"}
//
//	GET /api/v1/reports/{id}      the submitting token only: state, category, rsit, findings
//	                              (per rule, counted), advisories, observables, warnings
//
// Errors are {"error": {"code", "field", "message"}} with 400 (what to fix), 401, 404, 413, 415,
// 422 (an Idempotency-Key reused for another body) or 503 (retry with the same key).

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"mime"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/keikai-project/keikai/internal/intake"
	"github.com/keikai-project/keikai/internal/report"
	"github.com/keikai-project/keikai/internal/store"
)

// maxIdempotencyKey bounds the Idempotency-Key header; UUIDs and ULIDs fit many times over.
const maxIdempotencyKey = 255

type apiError struct {
	Error apiErrorBody `json:"error"`
}

type apiErrorBody struct {
	Code    string `json:"code"`
	Field   string `json:"field,omitempty"`
	Message string `json:"message"`
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.Encode(v)
}

func writeJSONError(w http.ResponseWriter, status int, field, code, message string) {
	writeJSON(w, status, apiError{apiErrorBody{Code: code, Field: field, Message: message}})
}

// authenticate returns the partner token of the request, or answers 401 itself.
func (h *handler) authenticate(w http.ResponseWriter, r *http.Request) (store.Token, bool) {
	auth := r.Header.Get("Authorization")
	scheme, secret, _ := strings.Cut(auth, " ")
	secret = strings.TrimSpace(secret)
	if !strings.EqualFold(scheme, "Bearer") || secret == "" {
		w.Header().Set("WWW-Authenticate", `Bearer realm="keikai"`)
		writeJSONError(w, http.StatusUnauthorized, "", "unauthorized", "send the partner token as Authorization: Bearer TOKEN (an administrator creates one with keikai token add NAME)")
		return store.Token{}, false
	}
	tok, err := h.cfg.Store.TokenByHash(r.Context(), intake.HashSecret(secret))
	if errors.Is(err, report.ErrNotFound) {
		w.Header().Set("WWW-Authenticate", `Bearer realm="keikai", error="invalid_token"`)
		writeJSONError(w, http.StatusUnauthorized, "", "invalid_token", "the token is unknown or revoked; ask the coordination center for a new one")
		return store.Token{}, false
	}
	if err != nil {
		h.log.Error("look up API token", "err", err)
		writeJSONError(w, http.StatusServiceUnavailable, "", "unavailable", "the service is temporarily unavailable; retry later with the same Idempotency-Key")
		return store.Token{}, false
	}
	return tok, true
}

type receiptJSON struct {
	ID         int64     `json:"id"`
	Tracking   string    `json:"tracking"`
	ReceivedAt time.Time `json:"received_at"`
	StatusURL  string    `json:"status_url"`
}

// apiSubmit is POST /api/v1/reports: a partner's report as JSON (attachments inline base64) or
// multipart/form-data with the form's field names. With an Idempotency-Key, a retry of the same
// body stores nothing and answers the first receipt (200 instead of 201).
func (h *handler) apiSubmit(w http.ResponseWriter, r *http.Request) {
	tok, ok := h.authenticate(w, r)
	if !ok {
		return
	}
	key := r.Header.Get("Idempotency-Key")
	if len(key) > maxIdempotencyKey || !printableASCII(key) {
		writeJSONError(w, http.StatusBadRequest, "Idempotency-Key", "invalid", fmt.Sprintf("the Idempotency-Key header must be at most %d printable ASCII characters", maxIdempotencyKey))
		return
	}
	contentType := r.Header.Get("Content-Type")
	mediaType, _, err := mime.ParseMediaType(contentType)
	if err != nil || (mediaType != intake.MediaJSON && mediaType != intake.MediaMultipart) {
		writeJSONError(w, http.StatusUnsupportedMediaType, "Content-Type", "unsupported_media_type", "send Content-Type: application/json or multipart/form-data")
		return
	}
	raw, err := readBody(w, r, h.limits.MaxSubmission)
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			writeJSONError(w, http.StatusRequestEntityTooLarge, "body", "too_large", fmt.Sprintf("the body exceeds %d bytes; compress attachments with gzip or split the report", tooBig.Limit))
			return
		}
		writeJSONError(w, http.StatusBadRequest, "body", "unreadable", "the body could not be read completely")
		return
	}
	var f *intake.Form
	if mediaType == intake.MediaJSON {
		f, err = intake.ParseJSON(raw, h.limits)
	} else {
		f, err = intake.ParseForm(raw, contentType, h.limits)
	}
	if err == nil {
		err = f.Validate(h.limits)
	}
	if err != nil {
		var ie *intake.InputError
		if errors.As(err, &ie) {
			writeJSONError(w, http.StatusBadRequest, ie.Field, string(ie.Code), ie.Message(acceptLanguage(r.Header.Get("Accept-Language"))))
		} else {
			writeJSONError(w, http.StatusBadRequest, "body", "invalid", err.Error())
		}
		return
	}
	sub := &report.Submission{
		Channel:        report.ChannelAPI,
		Raw:            raw,
		ContentType:    contentType,
		IdempotencyKey: key,
		TokenID:        tok.ID,
		RemoteAddr:     r.RemoteAddr,
		Lang:           f.Lang,
	}
	rc, err := h.cfg.Intake.Submit(r.Context(), sub)
	if err != nil {
		switch {
		case errors.Is(err, intake.ErrTooLarge):
			writeJSONError(w, http.StatusRequestEntityTooLarge, "body", "too_large", err.Error())
		case errors.Is(err, intake.ErrUnsupported):
			writeJSONError(w, http.StatusUnsupportedMediaType, "Content-Type", "unsupported_media_type", err.Error())
		default:
			h.log.Error("store an API submission", "token", tok.ID, "err", err)
			writeJSONError(w, http.StatusServiceUnavailable, "", "unavailable", "the report could not be stored; nothing was saved; retry later with the same Idempotency-Key")
		}
		return
	}
	body := receiptJSON{ID: rc.ID, Tracking: rc.Tracking, ReceivedAt: rc.ReceivedAt.UTC(), StatusURL: baseURL(r) + "/api/v1/reports/" + strconv.FormatInt(rc.ID, 10)}
	w.Header().Set("Location", body.StatusURL)
	if !rc.Duplicate {
		writeJSON(w, http.StatusCreated, body)
		return
	}
	// The key was used before: the same body is a retry, another body is a client bug that must
	// not pass silently as if it had been stored.
	earlier, err := h.cfg.Store.Submission(r.Context(), rc.ID)
	if err != nil {
		h.log.Error("read the submission of an idempotent retry", "report", rc.ID, "err", err)
		writeJSONError(w, http.StatusServiceUnavailable, "", "unavailable", "retry later with the same Idempotency-Key")
		return
	}
	if !bytes.Equal(earlier.Raw, raw) {
		writeJSONError(w, http.StatusUnprocessableEntity, "Idempotency-Key", "idempotency_key_reused", "this Idempotency-Key was used for a different report ("+rc.Tracking+"); use a new key for a new report")
		return
	}
	writeJSON(w, http.StatusOK, body)
}

func printableASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < 0x21 || s[i] > 0x7e {
			return false
		}
	}
	return true
}

type reportJSON struct {
	ID          int64               `json:"id"`
	Tracking    string              `json:"tracking"`
	State       report.State        `json:"state"`
	ReceivedAt  time.Time           `json:"received_at"`
	AnalysedAt  *time.Time          `json:"analysed_at,omitempty"`
	Category    string              `json:"category,omitempty"`
	RSIT        string              `json:"rsit,omitempty"`
	Findings    []findingSummary    `json:"findings"`
	Advisories  []string            `json:"advisories"`
	Observables []report.Observable `json:"observables"`
	Warnings    []string            `json:"warnings"`
}

type findingSummary struct {
	Rule     string `json:"rule"`
	Title    string `json:"title"`
	TitleJa  string `json:"title_ja,omitempty"`
	Category string `json:"category"`
	Count    int    `json:"count"`
}

// apiReport is GET /api/v1/reports/{id}, for the partner whose token submitted the report; to
// anyone else the report does not exist.
func (h *handler) apiReport(w http.ResponseWriter, r *http.Request) {
	tok, ok := h.authenticate(w, r)
	if !ok {
		return
	}
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		writeJSONError(w, http.StatusNotFound, "id", "not_found", "no report with this id was submitted with your token")
		return
	}
	sub, err := h.cfg.Store.Submission(r.Context(), id)
	var rep *report.Report
	if err == nil {
		if sub.TokenID != tok.ID || sub.Channel != report.ChannelAPI {
			err = report.ErrNotFound
		} else {
			rep, err = h.cfg.Store.Get(r.Context(), id)
		}
	}
	if errors.Is(err, report.ErrNotFound) {
		writeJSONError(w, http.StatusNotFound, "id", "not_found", "no report with this id was submitted with your token")
		return
	}
	if err != nil {
		h.log.Error("read report for API", "report", id, "err", err)
		writeJSONError(w, http.StatusServiceUnavailable, "", "unavailable", "retry later")
		return
	}
	writeJSON(w, http.StatusOK, reportView(rep))
}

func reportView(rep *report.Report) reportJSON {
	v := reportJSON{ID: rep.ID, Tracking: rep.Tracking, State: rep.State, ReceivedAt: rep.ReceivedAt.UTC(),
		Findings: []findingSummary{}, Advisories: []string{}, Observables: []report.Observable{}, Warnings: []string{}}
	a := rep.Analysis
	if a == nil {
		return v
	}
	at := a.AnalysedAt.UTC()
	v.AnalysedAt = &at
	v.Category, v.RSIT = a.Category, a.RSIT
	byRule := map[string]int{}
	for _, f := range a.Findings {
		i, ok := byRule[f.Rule]
		if !ok {
			i = len(v.Findings)
			byRule[f.Rule] = i
			v.Findings = append(v.Findings, findingSummary{Rule: f.Rule, Title: f.Title, TitleJa: f.TitleJa, Category: f.Category})
		}
		v.Findings[i].Count++
	}
	sort.SliceStable(v.Findings, func(i, j int) bool { return v.Findings[i].Count > v.Findings[j].Count })
	v.Advisories = append(v.Advisories, a.Advisories...)
	v.Observables = append(v.Observables, a.Observables...)
	v.Warnings = append(v.Warnings, a.Warnings...)
	return v
}
