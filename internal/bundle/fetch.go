package bundle

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
)

// IndexName lists a published bundle folder's bundles, one file name per line, so that a site
// can fetch them all from a URL (keikai check --advisories https://.../bundles/).
const IndexName = "index.txt"

// maxFetch bounds what one download may be: the largest bundle keikai ships is about 200 KB.
const maxFetch = 16 << 20

// Fetch downloads the bundles listed in base's index.txt, and their signatures, into dir. It
// only copies bytes: LoadDir verifies them afterwards as it verifies a local folder. base must
// be an https URL of a folder.
func Fetch(ctx context.Context, client *http.Client, base, dir string) error {
	u, err := url.Parse(base)
	if err != nil || u.Scheme != "https" || u.Host == "" {
		return fmt.Errorf("%s: give an https:// URL of a folder of bundles", base)
	}
	if !strings.HasSuffix(u.Path, "/") {
		u.Path += "/"
	}
	index, err := get(ctx, client, u.JoinPath(IndexName).String())
	if err != nil {
		return err
	}
	if index == nil {
		return fmt.Errorf("%s has no %s listing its bundles", u, IndexName)
	}
	sc := bufio.NewScanner(bytes.NewReader(index))
	n := 0
	for sc.Scan() {
		name := strings.TrimSpace(sc.Text())
		if name == "" {
			continue
		}
		if !safeName().MatchString(name) || strings.Contains(name, "/") || !strings.HasSuffix(name, Extension) {
			return fmt.Errorf("%s lists %q, which is not a bundle file name", IndexName, name)
		}
		for _, f := range []string{name, name + ".asc"} {
			data, err := get(ctx, client, u.JoinPath(f).String())
			if err != nil {
				return err
			}
			if data == nil {
				if f == name {
					return fmt.Errorf("%s lists %s, which the server does not have", IndexName, name)
				}
				continue // an unsigned bundle: LoadDir decides what to do with it
			}
			if err := os.WriteFile(filepath.Join(dir, f), data, 0o600); err != nil {
				return err
			}
		}
		n++
	}
	if n == 0 {
		return fmt.Errorf("%s at %s lists no bundle", IndexName, u)
	}
	return sc.Err()
}

// get fetches a URL; a 404 is nil data, any other failure an error.
func get(ctx context.Context, client *http.Client, u string) ([]byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return nil, err
	}
	resp, err := client.Do(req)
	if err != nil {
		return nil, fmt.Errorf("fetch %s: %w", u, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode == http.StatusNotFound {
		return nil, nil
	}
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("fetch %s: %s", u, resp.Status)
	}
	data, err := io.ReadAll(io.LimitReader(resp.Body, maxFetch+1))
	if err != nil {
		return nil, fmt.Errorf("fetch %s: %w", u, err)
	}
	if len(data) > maxFetch {
		return nil, errors.New("fetch " + u + ": larger than 16 MB; not a rule bundle")
	}
	return data, nil
}
