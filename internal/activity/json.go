package activity

import (
	"bytes"
	"encoding/json"
	"io"
	"strconv"
	"time"

	"github.com/keikai-project/keikai/internal/escape"
	"github.com/keikai-project/keikai/internal/taxonomy"
)

// WriteJSON renders s as one JSON object with the keys of Stats in their declared order: from, to
// (RFC 3339 in the period's time zone; to is exclusive), total, categories, decided,
// top_tcp_ports, top_udp_ports, icmp_types, cgi_paths, causes, and previous when a previous period
// is attached. categories has every category key in the order of the report (probe, mail-relay,
// forged-mail, intrusion, dos, worm, other), zeros included, then any other key alphabetically.
// Rankings are arrays, empty rather than null. Outside text (paths, titles, names) is escaped as
// in `keikai analyze --summary`; escape.Unescape gives back the original bytes.
func WriteJSON(w io.Writer, s *Stats) error {
	if s == nil {
		return check(s, Options{})
	}
	b, err := json.MarshalIndent(jsonStats(s), "", "  ")
	if err != nil {
		return err
	}
	_, err = w.Write(append(b, '\n'))
	return err
}

// statsJSON is Stats with ordered categories and escaped text; its fields keep Stats' order.
type statsJSON struct {
	From        time.Time    `json:"from"`
	To          time.Time    `json:"to"`
	Total       int64        `json:"total"`
	Categories  categoryJSON `json:"categories"`
	Decided     int64        `json:"decided"`
	TopTCPPorts []PortCount  `json:"top_tcp_ports"`
	TopUDPPorts []PortCount  `json:"top_udp_ports"`
	ICMPTypes   []ICMPCount  `json:"icmp_types"`
	CGIPaths    []PathCount  `json:"cgi_paths"`
	Causes      []CauseCount `json:"causes"`
	Previous    *statsJSON   `json:"previous,omitempty"`
}

func jsonStats(s *Stats) *statsJSON {
	out := &statsJSON{
		From:        s.From,
		To:          s.To,
		Total:       s.Total,
		Categories:  categoryJSON(s.Categories),
		Decided:     s.Decided,
		TopTCPPorts: escapePorts(s.TopTCPPorts),
		TopUDPPorts: escapePorts(s.TopUDPPorts),
		ICMPTypes:   make([]ICMPCount, len(s.ICMPTypes)),
		CGIPaths:    make([]PathCount, len(s.CGIPaths)),
		Causes:      make([]CauseCount, len(s.Causes)),
	}
	for i, t := range s.ICMPTypes {
		t.Name = escape.String(t.Name)
		out.ICMPTypes[i] = t
	}
	for i, p := range s.CGIPaths {
		p.Path = escape.String(p.Path)
		out.CGIPaths[i] = p
	}
	for i, c := range s.Causes {
		c.Advisory, c.Rule = escape.String(c.Advisory), escape.String(c.Rule)
		c.Title, c.TitleJa = escape.String(c.Title), escape.String(c.TitleJa)
		out.Causes[i] = c
	}
	if s.Previous != nil {
		out.Previous = jsonStats(s.Previous)
	}
	return out
}

func escapePorts(ports []PortCount) []PortCount {
	out := make([]PortCount, len(ports))
	for i, p := range ports {
		p.Service = escape.String(p.Service)
		out[i] = p
	}
	return out
}

// categoryJSON writes every category key in the report's order, zeros included.
type categoryJSON map[string]int64

func (c categoryJSON) MarshalJSON() ([]byte, error) {
	keys := taxonomy.CategoryKeys()
	extra := unknownCategories(&Stats{Categories: c})
	var b bytes.Buffer
	b.WriteByte('{')
	for i, k := range append(keys, extra...) {
		if i > 0 {
			b.WriteByte(',')
		}
		name, err := json.Marshal(escape.String(k))
		if err != nil {
			return nil, err
		}
		b.Write(name)
		b.WriteByte(':')
		b.WriteString(strconv.FormatInt(c[k], 10))
	}
	b.WriteByte('}')
	return b.Bytes(), nil
}
