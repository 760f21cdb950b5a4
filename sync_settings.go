package comptoir

import (
	"net/url"
	"path/filepath"
	"strings"
)

// SyncSettings are where the register's central is and where its token lies, remembered by
// comptoir sync so that the register's background sync and later runs need no flag. The token
// itself is never a setting: the database is copied and backed up, and a token in it would speak
// for the register to whoever holds a copy.
type SyncSettings struct {
	// Central is the central's address, such as https://central.example:8787.
	Central string
	// TokenFile is the absolute path of the file holding the register's token.
	TokenFile string
}

// CheckCentralURL checks a central's address as a manager gives it and returns it as it is
// stored: http or https, a host, no trailing slash. An empty value clears it.
func CheckCentralURL(v string) (string, error) {
	v = strings.TrimSpace(v)
	if v == "" {
		return "", nil
	}
	u, err := url.Parse(v)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.User != nil ||
		u.RawQuery != "" || u.Fragment != "" || strings.ContainsAny(v, " \t") {
		return "", E(CodeSyncCentralURL, v)
	}
	return strings.TrimRight(u.String(), "/"), nil
}

// syncSettingKeys are the sync's settings, by name.
var syncSettingKeys = map[string]setting{
	"sync.central": {
		label: Text{"Adresse de la centrale", "Central's address"},
		check: func(_ ShopSettings, v string) (string, error) { return CheckCentralURL(v) },
		load:  func(s *ShopSettings, v string) error { s.Sync.Central = v; return nil },
	},
	"sync.token-file": {
		label: Text{"Fichier du jeton de la caisse", "Register's token file"},
		check: func(_ ShopSettings, v string) (string, error) {
			v = strings.TrimSpace(v)
			// A relative path would name another file for each directory the register is
			// started from.
			if v != "" && !filepath.IsAbs(v) {
				return "", E(CodeSyncTokenPath, v)
			}
			return v, nil
		},
		load: func(s *ShopSettings, v string) error { s.Sync.TokenFile = v; return nil },
	},
}

func init() {
	for k, st := range syncSettingKeys {
		settingKeys[k] = st
	}
}

// get reads one of the sync's settings by name; ok is false for another name.
func (s SyncSettings) get(key string) (v string, ok bool) {
	switch key {
	case "sync.central":
		return s.Central, true
	case "sync.token-file":
		return s.TokenFile, true
	}
	return "", false
}
