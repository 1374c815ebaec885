package activity

import (
	"errors"
	"testing"
	"time"
)

func TestParsePeriod(t *testing.T) {
	loc := jst(t)
	from, to, err := ParsePeriod("2000-04-01", "2000-06-30", loc)
	if err != nil {
		t.Fatal(err)
	}
	if from.Format(time.RFC3339) != "2000-04-01T00:00:00+09:00" || to.Format(time.RFC3339) != "2000-07-01T00:00:00+09:00" {
		t.Errorf("got [%s, %s)", from, to)
	}
	for _, bad := range [][2]string{{"2000-04-31", "2000-06-30"}, {"2000-04-01", "30/6/2000"}, {"2000-06-30", "2000-04-01"}, {"", ""}} {
		if _, _, err := ParsePeriod(bad[0], bad[1], loc); !errors.Is(err, ErrPeriod) {
			t.Errorf("ParsePeriod(%q, %q) = %v, want ErrPeriod", bad[0], bad[1], err)
		}
	}
}

func TestPreviousPeriod(t *testing.T) {
	loc := jst(t)
	day := func(s string) time.Time {
		d, err := time.ParseInLocation(time.DateOnly, s, loc)
		if err != nil {
			t.Fatal(err)
		}
		return d
	}
	tests := []struct{ from, to, prevFrom string }{
		{"2000-04-01", "2000-07-01", "2000-01-01"}, // a quarter: the quarter before
		{"2000-07-01", "2000-10-01", "2000-04-01"}, // 92 days, but the previous quarter has 91
		{"2000-03-01", "2000-04-01", "2000-02-01"}, // a month
		{"2000-04-10", "2000-04-20", "2000-03-31"}, // ten days
		{"2000-03-01", "2000-03-02", "2000-02-29"}, // one day, over a leap day
	}
	for _, tt := range tests {
		from, to := PreviousPeriod(day(tt.from), day(tt.to))
		if got := from.Format(time.DateOnly); got != tt.prevFrom || !to.Equal(day(tt.from)) {
			t.Errorf("previous of %s..%s = %s..%s, want %s..%s", tt.from, tt.to, got, to.Format(time.DateOnly), tt.prevFrom, tt.from)
		}
	}
	// Summer time: a week in New York that spans the change keeps its days whole.
	ny, err := time.LoadLocation("America/New_York")
	if err != nil {
		t.Fatal(err)
	}
	from := time.Date(2024, 3, 14, 0, 0, 0, 0, ny)
	prevFrom, _ := PreviousPeriod(from, from.AddDate(0, 0, 7))
	if prevFrom.Hour() != 0 || prevFrom.Format(time.DateOnly) != "2024-03-07" {
		t.Errorf("previous week starts %s", prevFrom)
	}
}

func TestNextPeriod(t *testing.T) {
	loc := jst(t)
	day := func(s string) time.Time {
		d, err := time.ParseInLocation(time.DateOnly, s, loc)
		if err != nil {
			t.Fatal(err)
		}
		return d
	}
	tests := []struct{ from, to, nextTo string }{
		{"2000-04-01", "2000-07-01", "2000-10-01"}, // a quarter: the quarter after, 92 days
		{"2000-01-01", "2001-01-01", "2002-01-01"}, // a year
		{"2000-04-10", "2000-04-20", "2000-04-30"}, // ten days
		{"2000-02-28", "2000-02-29", "2000-03-01"}, // one day, the leap day
	}
	for _, tt := range tests {
		from, to := NextPeriod(day(tt.from), day(tt.to))
		if got := to.Format(time.DateOnly); got != tt.nextTo || !from.Equal(day(tt.to)) {
			t.Errorf("next of %s..%s = %s..%s, want %s..%s", tt.from, tt.to, from.Format(time.DateOnly), got, tt.to, tt.nextTo)
		}
	}
}
