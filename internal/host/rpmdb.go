package host

import (
	"bufio"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"os"
	"strings"
	"time"

	"modernc.org/sqlite" // the pure-Go driver, so the binary needs no C toolchain

	"github.com/keikai-project/keikai/internal/reason"
)

// rpmSQLiteDBs are where rpm keeps its SQLite database (Fedora 33+, RHEL 9+); the second is the
// newer home that /var/lib/rpm often links to.
var rpmSQLiteDBs = []string{"/var/lib/rpm/rpmdb.sqlite", "/usr/lib/sysimage/rpm/rpmdb.sqlite"}

// rpmUnreadableDBs are rpm databases in formats keikai does not read: Berkeley DB (older
// Red Hat, CentOS up to 8) and ndb (SUSE).
var rpmUnreadableDBs = []string{"/var/lib/rpm/Packages", "/var/lib/rpm/Packages.db", "/usr/lib/sysimage/rpm/Packages.db"}

// rpmPkgsList is the text list of installed packages that old Red Hat systems kept (rpm-based cron job).
const rpmPkgsList = "/var/log/rpmpkgs"

// rpm emits the packages of the rpm databases it can read and reports those it cannot. found says
// whether any rpm package list was there at all.
func (c *collector) rpm() (found bool) {
	readDB := make(map[string]bool)
	for _, target := range rpmSQLiteDBs {
		hp, err := c.r.resolve(target, true)
		if err != nil {
			if !isAbsent(err) {
				c.report(AreaPackages, target, err)
			}
			continue
		}
		if readDB[hp] {
			continue // the same file through a link
		}
		readDB[hp] = true
		if _, err := os.Lstat(hp); err != nil {
			continue
		}
		found = true
		if err := c.rpmSQLite(hp); err != nil {
			c.report(AreaPackages, target, err)
		}
	}
	if !found { // only when no SQLite database was there: a converted system keeps the old file
		for _, target := range rpmUnreadableDBs {
			if hp, err := c.r.resolve(target, true); err == nil {
				if _, err := os.Lstat(hp); err == nil {
					found = true
					c.report(AreaPackages, target, reason.New("rpm database in Berkeley DB or ndb format, which keikai does not read: installed rpm packages were not examined; on the live system, check with `rpm -q openssl`",
						"rpm データベースが keikai の読めない Berkeley DB または ndb 形式です: インストール済みの rpm パッケージは検査していません。稼働中のシステムで `rpm -q openssl` を実行して確認してください"))
				}
			}
		}
	}
	if c.rpmPkgs() {
		found = true
	}
	return found
}

// Limits on reading an rpm database. A planted rpmdb.sqlite is a program, not data: Packages may
// be a view that recurses forever or returns gigabyte blobs from a few kilobytes of file. Real
// databases hold a few thousand headers of at most a few hundred kilobytes each.
const (
	rpmMaxRows     = 200_000
	rpmMaxBlob     = 16 << 20
	rpmTimeBudget  = 30 * time.Second
	sqliteLimitLen = 0 // SQLITE_LIMIT_LENGTH: the largest string or blob a statement may make
)

var errRPMLimit = reason.New("the rpm database exceeds keikai's limits (a planted database?); the packages it lists were not all examined",
	"rpm データベースが keikai の上限を超えています (仕掛けられたデータベース?)。記載されたパッケージをすべては検査していません")

// rpmSQLite reads every header of an rpmdb.sqlite. The database is opened read-only and immutable,
// so SQLite writes nothing (no journal, no lock files) next to it on a mounted image, and with
// limits on rows, blob size and time, so that a hostile database cannot hang the check or take
// its memory.
func (c *collector) rpmSQLite(hostPath string) error {
	f, err := c.r.openRegular(hostPath)
	if err != nil {
		return err
	}
	defer f.Close()
	budget := c.rpmBudget
	if budget == 0 {
		budget = rpmTimeBudget
	}
	ctx, cancel := context.WithTimeout(c.ctx, budget)
	defer cancel()
	// SQLite opens by name: through the descriptor, where the system lets us name one, so the
	// file read is the one just checked.
	dsn := (&url.URL{Scheme: "file", Path: handlePath(f, hostPath), RawQuery: "mode=ro&immutable=1"}).String()
	db, err := sql.Open("sqlite", dsn)
	if err != nil {
		return reason.Wrap(err, "opening the rpm database", "rpm データベースを開けません")
	}
	defer db.Close()
	conn, err := db.Conn(ctx)
	if err != nil {
		return reason.Wrap(err, "opening the rpm database", "rpm データベースを開けません")
	}
	defer conn.Close()
	if _, err := sqlite.Limit(conn, sqliteLimitLen, rpmMaxBlob); err != nil {
		return reason.Wrap(err, "opening the rpm database", "rpm データベースを開けません")
	}
	rows, err := conn.QueryContext(ctx, "SELECT blob FROM Packages")
	if err != nil {
		return rpmErr(ctx, budget, err, "reading the rpm database (is it an rpmdb.sqlite?)", "rpm データベースを読めません (rpmdb.sqlite ですか?)")
	}
	defer rows.Close()
	bad, n := 0, 0
	var firstErr error
	for rows.Next() {
		if n++; n > rpmMaxRows {
			return fmt.Errorf("%w: more than %d rows in Packages", errRPMLimit, rpmMaxRows)
		}
		var blob []byte
		if err := rows.Scan(&blob); err != nil {
			return rpmErr(ctx, budget, err, "reading the rpm database", "rpm データベースを読めません")
		}
		p, err := parseRPMHeader(blob)
		if err != nil {
			if bad == 0 {
				firstErr = err
			}
			bad++
			continue
		}
		c.emit(packageEvent(p.Name, p.FullVersion(), "rpm", "rpm package "+p.Name+" "+p.FullVersion()), "rpm パッケージ "+p.Name+" "+p.FullVersion())
	}
	if err := rows.Err(); err != nil {
		return rpmErr(ctx, budget, err, "reading the rpm database", "rpm データベースを読めません")
	}
	if bad > 0 {
		return reason.New(fmt.Sprintf("%d package headers could not be parsed and were skipped (first: %v)", bad, firstErr),
			fmt.Sprintf("%d 個のパッケージヘッダを解析できず、読み飛ばしました (最初のもの: %v)", bad, firstErr))
	}
	return nil
}

// rpmErr says which limit stopped the read, when one did.
func rpmErr(ctx context.Context, budget time.Duration, err error, en, ja string) error {
	switch {
	case errors.Is(ctx.Err(), context.DeadlineExceeded):
		return fmt.Errorf("%w: reading took longer than %s", errRPMLimit, budget)
	case strings.Contains(err.Error(), "too big"): // SQLITE_TOOBIG: a blob above the length limit
		return fmt.Errorf("%w: a value larger than %d bytes", errRPMLimit, rpmMaxBlob)
	}
	return reason.Wrap(err, en, ja)
}

// rpmPkgs reads /var/log/rpmpkgs; it says whether the list was there.
func (c *collector) rpmPkgs() bool {
	hp, err := c.r.resolve(rpmPkgsList, true)
	if err != nil {
		if !isAbsent(err) {
			c.report(AreaPackages, rpmPkgsList, err)
		}
		return false
	}
	f, err := c.r.openRegular(hp)
	if err != nil {
		if !isAbsent(err) {
			c.report(AreaPackages, rpmPkgsList, err)
		}
		return false
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if p, ok := parseRPMPkgsLine(sc.Text()); ok {
			c.emit(packageEvent(p.Name, p.FullVersion(), "rpm", "rpm package "+p.Name+" "+p.FullVersion()+" (listed in "+rpmPkgsList+")"),
				"rpm パッケージ "+p.Name+" "+p.FullVersion()+" ("+rpmPkgsList+" に記載)")
		}
	}
	if err := sc.Err(); err != nil {
		c.report(AreaPackages, rpmPkgsList, reason.Wrap(err, "reading stopped", "読み取りが途中で止まりました"))
	}
	return true
}
