package host

import (
	"bufio"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"os"

	_ "modernc.org/sqlite" // the pure-Go driver, so the binary needs no C toolchain
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
					c.report(AreaPackages, target, errors.New("rpm database in Berkeley DB or ndb format, which keikai does not read: installed rpm packages were not examined; on the live system, check with `rpm -q openssl`"))
				}
			}
		}
	}
	if c.rpmPkgs() {
		found = true
	}
	return found
}

// rpmSQLite reads every header of an rpmdb.sqlite. The database is opened read-only and immutable,
// so SQLite writes nothing (no journal, no lock files) next to it on a mounted image.
func (c *collector) rpmSQLite(hostPath string) error {
	if err := checkRegular(hostPath); err != nil {
		return err
	}
	dsn := (&url.URL{Scheme: "file", Path: hostPath, RawQuery: "mode=ro&immutable=1"}).String()
	db, err := sql.Open("sqlite", dsn)
	if err != nil {
		return fmt.Errorf("opening the rpm database: %w", err)
	}
	defer db.Close()
	rows, err := db.QueryContext(c.ctx, "SELECT blob FROM Packages")
	if err != nil {
		return fmt.Errorf("reading the rpm database (is it an rpmdb.sqlite?): %w", err)
	}
	defer rows.Close()
	bad := 0
	var firstErr error
	for rows.Next() {
		var blob []byte
		if err := rows.Scan(&blob); err != nil {
			return fmt.Errorf("reading the rpm database: %w", err)
		}
		p, err := parseRPMHeader(blob)
		if err != nil {
			if bad == 0 {
				firstErr = err
			}
			bad++
			continue
		}
		c.emit(packageEvent(p.Name, p.FullVersion(), "rpm", "rpm package "+p.Name+" "+p.FullVersion()))
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("reading the rpm database: %w", err)
	}
	if bad > 0 {
		return fmt.Errorf("%d package headers could not be parsed and were skipped (first: %w)", bad, firstErr)
	}
	return nil
}

// checkRegular makes sure a path is a regular file before a library opens it by name.
func checkRegular(hostPath string) error {
	f, err := openRegular(hostPath)
	if err != nil {
		return err
	}
	return f.Close()
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
	f, err := openRegular(hp)
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
			c.emit(packageEvent(p.Name, p.FullVersion(), "rpm", "rpm package "+p.Name+" "+p.FullVersion()+" (listed in "+rpmPkgsList+")"))
		}
	}
	if err := sc.Err(); err != nil {
		c.report(AreaPackages, rpmPkgsList, fmt.Errorf("reading stopped: %w", err))
	}
	return true
}
