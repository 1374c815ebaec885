package host

import (
	"github.com/keikai-project/keikai/internal/event"
	"github.com/keikai-project/keikai/internal/reason"
)

const dpkgStatus = "/var/lib/dpkg/status"

// packages emits installed packages from the package managers' databases and OpenSSL builds found
// outside them.
func (c *collector) packages() {
	found := c.dpkg()
	if c.rpm() {
		found = true
	}
	if !found {
		c.report(AreaPackages, "", reason.New("no package database found (dpkg status, rpmdb.sqlite, rpmpkgs): installed packages were not examined; OpenSSL libraries and headers were still looked for",
			"パッケージデータベース (dpkg status、rpmdb.sqlite、rpmpkgs) が見つかりません: インストール済みパッケージは検査していません。OpenSSL のライブラリとヘッダは探しました"))
	}
	if c.ctx.Err() != nil {
		return
	}
	c.opensslLibraries()
	c.opensslHeaders()
}

// dpkg emits the installed packages of the dpkg status file; it says whether the file was there.
func (c *collector) dpkg() bool {
	hp, err := c.r.resolve(dpkgStatus, true)
	if err != nil {
		if !isAbsent(err) {
			c.report(AreaPackages, dpkgStatus, err)
		}
		return false
	}
	f, err := c.r.openRegular(hp)
	if err != nil {
		if !isAbsent(err) {
			c.report(AreaPackages, dpkgStatus, err)
		}
		return false
	}
	defer f.Close()
	err = parseDpkgStatus(f, func(p dpkgPackage) {
		c.emit(packageEvent(p.Name, p.Version, "dpkg", "dpkg package "+p.Name+" "+p.Version), "dpkg パッケージ "+p.Name+" "+p.Version)
	})
	if err != nil {
		c.report(AreaPackages, dpkgStatus, reason.Wrap(err, "reading stopped, later packages were not examined", "読み取りが途中で止まり、以降のパッケージは検査していません"))
	}
	return true
}

// packageEvent builds a host-package event; raw must contain name and version literally.
func packageEvent(name, version, source, raw string) *event.Event {
	e := newEvent(event.FormatHostPackage, raw)
	setValue(e, event.PackageName, name)
	if version != "" {
		setValue(e, event.PackageVersion, version)
	}
	e.SetString(event.PackageSource, source)
	return e
}
