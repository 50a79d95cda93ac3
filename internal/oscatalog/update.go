package oscatalog

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"time"
)

// DefaultFeedURLs are SOFA's v2 feeds and Apple's GDMF list (gdmf.apple.com/v2/pmv: the
// versions Apple offers, which Fleet 4.83+ checks minimum_version against). GDMF's TLS chain
// ends at an Apple root that the system pool may lack: Update trusts Apple's roots for it (see
// gdmfClient), with verification on.
var DefaultFeedURLs = map[string]string{
	MacOS:  "https://sofafeed.macadmins.io/v2/macos_data_feed.json",
	IOS:    "https://sofafeed.macadmins.io/v2/ios_data_feed.json",
	"gdmf": "https://gdmf.apple.com/v2/pmv",
}

// maxFeedBytes bounds one download; the real feeds are a few MB.
const maxFeedBytes = 64 << 20

// Update fetches the feeds named in urls (keys "macos", "ios", "gdmf"; nil means
// DefaultFeedURLs) and writes a catalog in the embedded shape to out. The output depends only on
// the feeds: its snapshot_date is the newest LastCheck of the feeds, JSON keys are sorted, lists
// are newest first. Nothing is written unless the result loads as a catalog.
func Update(ctx context.Context, client *http.Client, urls map[string]string, out io.Writer) error {
	if client == nil {
		client = &http.Client{Timeout: 2 * time.Minute}
	}
	if urls == nil {
		urls = DefaultFeedURLs
	}
	var feeds []*sofaFeed
	for _, key := range []string{MacOS, IOS} {
		u, ok := urls[key]
		if !ok {
			continue
		}
		var feed sofaFeed
		if err := fetchJSON(ctx, client, u, &feed); err != nil {
			return err
		}
		if len(feed.OSVersions) == 0 {
			return fmt.Errorf("%s: no OSVersions: not a SOFA v2 feed", u)
		}
		feeds = append(feeds, &feed)
	}
	if len(feeds) == 0 {
		return fmt.Errorf("no SOFA feed URL given (want keys %q and/or %q)", MacOS, IOS)
	}
	var gdmf *pmvFeed
	if u, ok := urls["gdmf"]; ok {
		gc, err := gdmfClient(client)
		if err != nil {
			return err
		}
		gdmf = new(pmvFeed)
		if err := fetchJSON(ctx, gc, u, gdmf); err != nil {
			return fmt.Errorf("GDMF: %w", err)
		}
		if len(gdmf.PublicAssetSets) == 0 && len(gdmf.AssetSets) == 0 {
			return fmt.Errorf("GET %s: no PublicAssetSets or AssetSets: not a GDMF answer", u)
		}
	}
	f, err := fromSOFA(feeds, gdmf, urls)
	if err != nil {
		return err
	}
	if _, err := build(f); err != nil {
		return fmt.Errorf("the feeds gave an unusable catalog: %w", err)
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", " ")
	if err := enc.Encode(f); err != nil {
		return err
	}
	_, err = out.Write(buf.Bytes())
	return err
}

func fetchJSON(ctx context.Context, client *http.Client, url string, v any) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return err
	}
	req.Header.Set("Accept", "application/json")
	req.Header.Set("User-Agent", "tollgate-os-catalog")
	resp, err := client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("GET %s: %s", url, resp.Status)
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxFeedBytes+1))
	if err != nil {
		return fmt.Errorf("GET %s: %w", url, err)
	}
	if len(body) > maxFeedBytes {
		return fmt.Errorf("GET %s: more than %d bytes", url, maxFeedBytes)
	}
	if err := json.Unmarshal(body, v); err != nil {
		return fmt.Errorf("GET %s: %w", url, err)
	}
	return nil
}
