package activity

import (
	"bufio"
	"encoding/csv"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/keikai-project/keikai/internal/escape"
	"github.com/keikai-project/keikai/internal/taxonomy"
)

// CSVOptions tune the CSV for the program that opens it.
type CSVOptions struct {
	// BOM starts the file with a UTF-8 byte-order mark. Excel needs it to read UTF-8 (without it,
	// Japanese Windows reads the file as Shift_JIS and the labels turn to mojibake); most other
	// programs (LibreOffice, Python, R, awk) read the file as well or better without it, so it is
	// off unless asked for.
	BOM bool
}

// CSVHeader is the first record of the CSV.
var CSVHeader = []string{"period", "from", "to", "section", "rank", "key", "label_ja", "label_en", "count"}

// WriteCSV renders s in long format, one count per record, so that a spreadsheet's pivot table
// (or a GROUP BY) arranges it any way: rows by section and key, columns by period.
//
//	period    "current", or "previous" for the period before it (with Stats.Previous)
//	from, to  the first and the last day of the period (both included), YYYY-MM-DD in its zone
//	section   total, decided, unclassified, category, tcp_port, udp_port, icmp_type, cgi_path, cause
//	rank      1 for the most reported entry of a ranking; empty outside rankings
//	key       category key, port or ICMP type number, CGI path, advisory or rule ID; empty for
//	          total, decided and unclassified
//	label_ja, label_en   the category's title, the service or ICMP name, the cause's title
//	count     number of reports
//
// Records follow RFC 4180: comma-separated, CRLF line ends, fields with commas, quotes or line
// breaks quoted. Text from outside is escaped (internal/escape), and a field that a spreadsheet
// would take for a formula (it starts with = + - @) gets a leading apostrophe, the usual guard
// against CSV injection.
func WriteCSV(w io.Writer, s *Stats, o CSVOptions) error {
	if s == nil {
		return check(s, Options{})
	}
	bw := bufio.NewWriter(w)
	if o.BOM {
		bw.WriteString("\uFEFF")
	}
	cw := csv.NewWriter(bw)
	cw.UseCRLF = true
	if err := cw.Write(CSVHeader); err != nil {
		return err
	}
	for _, r := range csvRecords(s, "current") {
		if err := cw.Write(r); err != nil {
			return err
		}
	}
	if s.Previous != nil {
		for _, r := range csvRecords(s.Previous, "previous") {
			if err := cw.Write(r); err != nil {
				return err
			}
		}
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return err
	}
	return bw.Flush()
}

func csvRecords(s *Stats, period string) [][]string {
	from, to := s.From.Format(time.DateOnly), lastDay(s).Format(time.DateOnly)
	var out [][]string
	add := func(section string, rank int, key, ja, en string, count int64) {
		r := ""
		if rank > 0 {
			r = strconv.Itoa(rank)
		}
		out = append(out, []string{period, from, to, section, r, cell(key), cell(ja), cell(en), strconv.FormatInt(count, 10)})
	}
	add("total", 0, "", "", "", s.Total)
	add("decided", 0, "", "", "", s.Decided)
	add("unclassified", 0, "", "", "", max(s.Total-categorised(s), 0))
	for _, c := range taxonomy.Categories() {
		add("category", 0, c.Key, c.Ja, c.En, s.Categories[c.Key])
	}
	for _, k := range unknownCategories(s) {
		add("category", 0, k, "", "", s.Categories[k])
	}
	for i, p := range s.TopTCPPorts {
		add("tcp_port", i+1, strconv.Itoa(p.Port), p.Service, p.Service, p.Count)
	}
	for i, p := range s.TopUDPPorts {
		add("udp_port", i+1, strconv.Itoa(p.Port), p.Service, p.Service, p.Count)
	}
	for i, t := range s.ICMPTypes {
		add("icmp_type", i+1, strconv.Itoa(t.Type), t.Name, t.Name, t.Count)
	}
	for i, p := range s.CGIPaths {
		add("cgi_path", i+1, p.Path, "", "", p.Count)
	}
	for i, c := range s.Causes {
		ja := c.TitleJa
		if ja == "" {
			ja = c.Title
		}
		add("cause", i+1, causeKey(c), ja, c.Title, c.Count)
	}
	return out
}

// cell escapes outside text for a spreadsheet.
func cell(s string) string {
	s = escape.String(s)
	if s != "" && strings.ContainsRune("=+-@", rune(s[0])) {
		return "'" + s
	}
	return s
}
