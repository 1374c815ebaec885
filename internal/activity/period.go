package activity

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// Periods are stated the way the published reports state them, by their first and last day
// ("2000-04-01" to "2000-06-30", both included), in the reporting time zone; Stats holds them as
// [From, To) with To the midnight after the last day.

// ErrPeriod is wrapped by the errors of ParsePeriod.
var ErrPeriod = errors.New("invalid period")

// ParsePeriod turns a first and a last day (YYYY-MM-DD, both included) into [from, to) in loc.
func ParsePeriod(first, last string, loc *time.Location) (from, to time.Time, err error) {
	from, err = time.ParseInLocation(time.DateOnly, first, loc)
	if err != nil {
		return from, to, fmt.Errorf("%w: %q is not a day like 2000-04-01", ErrPeriod, first)
	}
	end, err := time.ParseInLocation(time.DateOnly, last, loc)
	if err != nil {
		return from, to, fmt.Errorf("%w: %q is not a day like 2000-06-30", ErrPeriod, last)
	}
	if end.Before(from) {
		return from, to, fmt.Errorf("%w: the last day %s is before the first %s", ErrPeriod, last, first)
	}
	return from, end.AddDate(0, 0, 1), nil
}

// PreviousPeriod is the period of the same length that ends where [from, to) starts: as many
// calendar months when the period is whole months (a quarter's previous is the quarter before,
// though quarters differ in days), otherwise as many days. Days are counted in the zone of from,
// so a change to or from summer time does not shift the bounds by an hour.
func PreviousPeriod(from, to time.Time) (time.Time, time.Time) {
	if from.Day() == 1 && to.Day() == 1 {
		months := (to.Year()-from.Year())*12 + int(to.Month()-from.Month())
		return from.AddDate(0, -months, 0), from
	}
	days := 0
	for d := from; d.Before(to); d = d.AddDate(0, 0, 1) {
		days++
	}
	return from.AddDate(0, 0, -days), from
}

// NextPeriod is the period of the same length that starts where [from, to) ends, counted as
// PreviousPeriod counts: the quarter after April–June is July–September.
func NextPeriod(from, to time.Time) (time.Time, time.Time) {
	if from.Day() == 1 && to.Day() == 1 {
		months := (to.Year()-from.Year())*12 + int(to.Month()-from.Month())
		return to, to.AddDate(0, months, 0)
	}
	days := 0
	for d := from; d.Before(to); d = d.AddDate(0, 0, 1) {
		days++
	}
	return to, to.AddDate(0, 0, days)
}

// Source computes the statistics of [from, to) with rankings of at most top entries; the store's
// Activity method is one.
type Source interface {
	Activity(ctx context.Context, from, to time.Time, top int) (*Stats, error)
}

// Compute asks src for [from, to) and, with compare, for the previous period (PreviousPeriod),
// attached as Previous. Both are stated in the zone of from, whatever zone src answers in, so the
// renderings name the reporting zone.
func Compute(ctx context.Context, src Source, from, to time.Time, top int, compare bool) (*Stats, error) {
	s, err := src.Activity(ctx, from, to, top)
	if err != nil {
		return nil, fmt.Errorf("counting %s: %w", periodName(from, to), err)
	}
	s.From, s.To = from, to.In(from.Location())
	if !compare {
		s.Previous = nil
		return s, nil
	}
	prevFrom, prevTo := PreviousPeriod(s.From, s.To)
	prev, err := src.Activity(ctx, prevFrom, prevTo, top)
	if err != nil {
		return nil, fmt.Errorf("counting the previous period %s: %w", periodName(prevFrom, prevTo), err)
	}
	prev.From, prev.To, prev.Previous = prevFrom, prevTo, nil
	s.Previous = prev
	return s, nil
}

// periodName is "2000-04-01 to 2000-06-30" for error messages.
func periodName(from, to time.Time) string {
	return from.Format(time.DateOnly) + " to " + lastDay(&Stats{From: from, To: to}).Format(time.DateOnly)
}
