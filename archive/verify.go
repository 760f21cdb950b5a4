package archive

import (
	"archive/zip"
	"bufio"
	"bytes"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"slices"
	"strconv"
	"strings"

	"github.com/comptoir/comptoir"
)

// Bounds on what Verify reads, so that a hostile file (a zip bomb, an entry claiming 10 GB, a
// line without end) is refused instead of filling the memory or the disk.
const (
	// maxFileSize bounds each file of an archive: a year of a busy register is far below it.
	maxFileSize = 1 << 30
	// maxManifest bounds manifest.json and manifest.sig, which are read whole.
	maxManifest = 4 << 20
	// maxLine bounds one record of a JSON Lines file: a ticket of MaxLines lines is far below.
	maxLine = 16 << 20
	// maxKeys bounds keys.jsonl, which is read whole before the rest.
	maxKeys = 1 << 16
	// batchLines is how many records a verifying worker takes at a time.
	batchLines = 256
)

// VerifyOptions are what the person verifying knows beside the archive.
type VerifyOptions struct {
	// KeyFingerprint, when set, is the fingerprint of a key the person trusts (printed on a Z
	// report they kept): the archive must be signed by that key or by a key it handed over to
	// through rotations, else the archive is refused with comptoir.CodeArchiveFingerprint.
	KeyFingerprint string
}

// Verify checks an archive without any database, and returns the first problem as a
// *comptoir.Error: CodeArchiveInvalid when the file is not a readable archive (or is changed
// outside the files the manifest describes), CodeArchiveSignature when the manifest's signature
// does not verify, CodeArchiveFingerprint when the key is not the one expected, and
// CodeArchiveBroken, naming the record and its chain, when a record's hash, link, number, totals
// or signature do not hold. It never panics; it refuses a file of the archive beyond 1 GiB,
// whatever its header claims, and holds a few batches of records in memory, never a whole file.
func Verify(r io.ReaderAt, size int64, opts VerifyOptions) (rep Report, err error) {
	defer func() {
		// Every input is meant to be refused with a sentence; this is the net under a case
		// the checks missed, so that a verifier never crashes on a file it was handed.
		if p := recover(); p != nil {
			rep, err = Report{}, invalid("erreur interne du vérificateur", "internal error of the verifier")
		}
	}()
	v := &verifier{r: r, size: size, opts: opts, keys: map[uint64]*keyInfo{}, lastSig: map[comptoir.Chain]string{}}
	if err := v.run(); err != nil {
		return Report{}, err
	}
	return v.rep, nil
}

// invalid refuses a file that is not a readable archive.
func invalid(fr, en string) error {
	return comptoir.E(comptoir.CodeArchiveInvalid, comptoir.Text{FR: fr, EN: en})
}

// chainName formats a chain as messages name it, in their language.
type chainName comptoir.Chain

func (c chainName) Format(l comptoir.Lang) string { return comptoir.Chain(c).Label(l) }

// fileRef names a file of the archive, or one of its lines when the record there cannot be read.
type fileRef struct {
	name string
	line int64
}

func (f fileRef) Format(l comptoir.Lang) string {
	switch {
	case f.line == 0 && l == comptoir.LangEN:
		return "file " + f.name
	case f.line == 0:
		return "fichier " + f.name
	case l == comptoir.LangEN:
		return "line " + itoa(f.line) + " of " + f.name
	}
	return "ligne " + itoa(f.line) + " de " + f.name
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

// What was found wrong, as the refusal says it: "archive : signature invalide, ticket 42
// (chaîne des tickets)".
var (
	whatFileHash     = comptoir.Text{FR: "contenu différent de l'empreinte du manifeste", EN: "content differs from the manifest's hash"}
	whatFileLines    = comptoir.Text{FR: "nombre de lignes différent du manifeste", EN: "line count differs from the manifest"}
	whatUnreadable   = comptoir.Text{FR: "enregistrement illisible", EN: "unreadable record"}
	whatKind         = comptoir.Text{FR: "type d'enregistrement inattendu dans ce fichier", EN: "unexpected record kind in this file"}
	whatHash         = comptoir.Text{FR: "empreinte SHA-256 différente du contenu", EN: "SHA-256 hash differs from the content"}
	whatLink         = comptoir.Text{FR: "lien rompu avec l'enregistrement précédent", EN: "broken link to the previous record"}
	whatNumber       = comptoir.Text{FR: "numéro hors séquence (enregistrement supprimé ou ajouté)", EN: "number out of sequence (a record deleted or added)"}
	whatRegister     = comptoir.Text{FR: "enregistrement d'une autre caisse", EN: "record of another register"}
	whatTotals       = comptoir.Text{FR: "totaux incohérents", EN: "totals do not add up"}
	whatGrandTotal   = comptoir.Text{FR: "grand total perpétuel incohérent", EN: "perpetual grand total does not add up"}
	whatGrandAbs     = comptoir.Text{FR: "grand total perpétuel en valeur absolue incohérent", EN: "perpetual grand total in absolute value does not add up"}
	whatSealed       = comptoir.Text{FR: "ticket d'une période déjà clôturée", EN: "ticket of a period already closed"}
	whatDuplicate    = comptoir.Text{FR: "période clôturée deux fois", EN: "period closed twice"}
	whatSignature    = comptoir.Text{FR: "signature invalide (enregistrement modifié ou signé sans la clé)", EN: "invalid signature (record altered, or signed without the key)"}
	whatSigMissing   = comptoir.Text{FR: "signature manquante", EN: "missing signature"}
	whatSigEarly     = comptoir.Text{FR: "signature antérieure à la première clé", EN: "signature before the first key"}
	whatSigChain     = comptoir.Text{FR: "signature d'une autre chaîne", EN: "signature of another chain"}
	whatSigKey       = comptoir.Text{FR: "signée par une autre clé que celle en vigueur", EN: "signed by another key than the one in effect"}
	whatSigLink      = comptoir.Text{FR: "la signature ne suit pas la précédente de sa chaîne (enregistrement supprimé ou déplacé)", EN: "the signature does not follow the previous one of its chain (a record deleted or moved)"}
	whatKeyReason    = comptoir.Text{FR: "raison de la clé impossible à cette place", EN: "key reason impossible at this place"}
	whatKeyValue     = comptoir.Text{FR: "clé publique ou empreinte illisible", EN: "unreadable public key or fingerprint"}
	whatKeyFrom      = comptoir.Text{FR: "début de validité de la clé antérieur à celui de la précédente", EN: "key starts before the previous one"}
	whatManifestKeys = comptoir.Text{FR: "clés du manifeste différentes de keys.jsonl", EN: "the manifest's keys differ from keys.jsonl"}
	whatNoClosing    = comptoir.Text{FR: "clôture de la période absente", EN: "the period's closing is missing"}
	whatManifestTot  = comptoir.Text{FR: "totaux différents de ceux du manifeste", EN: "totals differ from the manifest's"}
	whatChainHead    = comptoir.Text{FR: "enregistrement qu'une clôture a compté mais que la chaîne n'a plus (fin de chaîne supprimée)", EN: "record a closing counted but the chain no longer holds (the chain's end deleted)"}
	whatCounts       = comptoir.Text{FR: "nombre d'enregistrements différent du manifeste", EN: "record count differs from the manifest"}
)

func broken(what comptoir.Text, at any, chain comptoir.Chain) error {
	return comptoir.E(comptoir.CodeArchiveBroken, what, at, chainName(chain))
}

// fileChain is the chain a file's records belong to, as a refusal about the file names it.
var fileChain = map[string]comptoir.Chain{
	FileJournal: comptoir.ChainTickets, FileReprints: comptoir.ChainReprints, FileEvents: comptoir.ChainEvents,
	FileKeys: comptoir.ChainKeys,
}

type keyInfo struct {
	rec  comptoir.SigningKeyRecord
	pub  ed25519.PublicKey
	item *item
}

type verifier struct {
	r     io.ReaderAt
	size  int64
	opts  VerifyOptions
	files map[string]*zip.File
	m     Manifest
	raw   []byte // manifest.json's bytes
	sig   ManifestSignature
	rep   Report

	// keys are the key records by number, and keyList in chain order; keys.jsonl's items are
	// kept to check the chain after the manifest's signature.
	keys     map[uint64]*keyInfo
	keyList  []*keyInfo
	keyItems []item
	// lastSig is, per chain, the last signature value checked (the anchor's at first).
	lastSig map[comptoir.Chain]string
	counts  Counts
	// heads are the chain heads the archive's closings recorded, checked once the reprints and
	// events are read; seen is, per chain, the hash and signature of each record read.
	heads []recordedHead
	seen  map[comptoir.Chain]map[uint64][2]string
}

// recordedHead is a chain head a closing recorded, with the closing that did.
type recordedHead struct {
	closing comptoir.RecordRef
	head    comptoir.ChainHead
}

func (v *verifier) run() error {
	if err := v.open(); err != nil {
		return err
	}
	if err := v.checkFiles(); err != nil {
		return err
	}
	if err := v.loadKeys(); err != nil {
		return err
	}
	if err := v.checkManifestSignature(); err != nil {
		return err
	}
	if err := v.checkFingerprint(); err != nil {
		return err
	}
	for c, a := range v.m.Anchors {
		v.lastSig[c] = a.Signature
	}
	if err := v.checkKeys(); err != nil {
		return err
	}
	if err := v.checkJournal(); err != nil {
		return err
	}
	for _, f := range []struct {
		name  string
		kind  comptoir.RecordKind
		count *int
	}{{FileReprints, comptoir.ReprintRecord, &v.counts.Reprints}, {FileEvents, comptoir.EventRecord, &v.counts.Events}} {
		if err := v.checkSimple(f.name, f.kind, f.count); err != nil {
			return err
		}
	}
	if err := v.checkHeads(); err != nil {
		return err
	}
	for _, c := range []struct {
		got, want int
		chain     comptoir.Chain
	}{
		{v.counts.Tickets, v.m.Counts.Tickets, comptoir.ChainTickets}, {v.counts.Closings, v.m.Counts.Closings, comptoir.ChainClosings},
		{v.counts.Reprints, v.m.Counts.Reprints, comptoir.ChainReprints}, {v.counts.Events, v.m.Counts.Events, comptoir.ChainEvents},
		{v.counts.Keys, v.m.Counts.Keys, comptoir.ChainKeys},
	} {
		if c.got != c.want {
			return broken(whatCounts, fileRef{name: FileManifest}, c.chain)
		}
	}
	v.rep.Register, v.rep.Period, v.rep.Software = v.m.Register, v.m.Period, v.m.Software
	v.rep.Fingerprint = v.sig.Fingerprint
	v.rep.Tickets, v.rep.Closings, v.rep.Reprints = v.counts.Tickets, v.counts.Closings, v.counts.Reprints
	v.rep.Events, v.rep.Keys = v.counts.Events, v.counts.Keys
	v.rep.Totals, v.rep.GrandTotal, v.rep.GrandTotalAbs = v.m.Totals, v.m.GrandTotal, v.m.GrandTotalAbs
	return nil
}

// open reads the zip's directory, the manifest and its signature.
func (v *verifier) open() error {
	if v.size <= 0 || v.size > maxZipSize {
		return invalid("taille impossible pour une archive", "impossible size for an archive")
	}
	zr, err := zip.NewReader(v.r, v.size)
	if err != nil && !errors.Is(err, zip.ErrInsecurePath) {
		return invalid("ce n'est pas un fichier zip", "it is not a zip file")
	}
	if zr == nil || len(zr.File) > len(dataFiles)+2 {
		return invalid("elle contient trop de fichiers", "it holds too many files")
	}
	v.files = map[string]*zip.File{}
	for _, f := range zr.File {
		known := f.Name == FileManifest || f.Name == FileSignature || slices.Contains(dataFiles, f.Name)
		switch {
		case !known:
			name := []rune(comptoir.CleanText(f.Name))
			if len(name) > 64 {
				name = append(name[:64], '…')
			}
			return invalid("elle contient un fichier inconnu : "+string(name), "it holds an unknown file: "+string(name))
		case v.files[f.Name] != nil:
			return invalid("elle contient deux fois le fichier "+f.Name, "it holds the file "+f.Name+" twice")
		case f.Method != zip.Store || f.UncompressedSize64 > maxFileSize || f.CompressedSize64 != f.UncompressedSize64:
			return invalid("le fichier "+f.Name+" n'est pas rangé comme Comptoir le fait", "the file "+f.Name+" is not stored as Comptoir stores it")
		}
		v.files[f.Name] = f
	}
	for _, name := range append(slices.Clone(dataFiles), FileManifest, FileSignature) {
		if v.files[name] == nil {
			return invalid("le fichier "+name+" manque", "the file "+name+" is missing")
		}
	}
	if v.raw, err = v.readAll(FileManifest, maxManifest); err != nil {
		return err
	}
	if json.Unmarshal(v.raw, &v.m) != nil || v.m.Format != Format {
		return invalid("manifeste illisible ou d'un autre format", "the manifest is unreadable or of another format")
	}
	if kind, err := comptoir.ParsePeriod(v.m.Period); err != nil || kind != v.m.Kind {
		return invalid("période du manifeste illisible", "the manifest's period is unreadable")
	}
	names := make([]string, len(v.m.Files))
	for i, f := range v.m.Files {
		names[i] = f.Name
	}
	if !slices.Equal(names, dataFiles) {
		return invalid("liste des fichiers du manifeste inattendue", "unexpected list of files in the manifest")
	}
	sig, err := v.readAll(FileSignature, maxManifest)
	if err != nil {
		return err
	}
	if json.Unmarshal(sig, &v.sig) != nil {
		return invalid("signature du manifeste illisible", "the manifest's signature is unreadable")
	}
	return nil
}

// limited reads a file of the archive, failing once it gives more than limit bytes, whatever
// its header claims.
type limited struct {
	r    io.Reader
	left int64
}

func (l *limited) Read(p []byte) (int, error) {
	if l.left <= 0 {
		// At the limit, the file must end: one byte more is a file larger than allowed.
		var one [1]byte
		n, err := l.r.Read(one[:])
		if n > 0 {
			return 0, invalid("un fichier dépasse la taille admise", "a file exceeds the size allowed")
		}
		if err == nil {
			err = io.ErrNoProgress
		}
		return 0, err
	}
	if int64(len(p)) > l.left {
		p = p[:l.left]
	}
	n, err := l.r.Read(p)
	l.left -= int64(n)
	return n, err
}

func (v *verifier) openFile(name string, limit int64) (io.ReadCloser, error) {
	rc, err := v.files[name].Open()
	if err != nil {
		return nil, invalid("le fichier "+name+" est illisible", "the file "+name+" cannot be read")
	}
	return struct {
		io.Reader
		io.Closer
	}{&limited{r: rc, left: limit}, rc}, nil
}

func (v *verifier) readAll(name string, limit int64) ([]byte, error) {
	rc, err := v.openFile(name, limit)
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	b, err := io.ReadAll(rc)
	if err != nil {
		return nil, readErr(name, err)
	}
	return b, nil
}

// readErr turns a failed read of a file into a refusal: a size exceeded says so, anything else
// (a checksum, a truncated file) is a file that cannot be read.
func readErr(name string, err error) error {
	var ce *comptoir.Error
	if errors.As(err, &ce) {
		return ce
	}
	return invalid("le fichier "+name+" est illisible", "the file "+name+" cannot be read")
}

// checkFiles reads every file once: it compares each with its digest in the manifest, and
// rebuilds the zip container around them to compare it with the file given byte for byte.
func (v *verifier) checkFiles() error {
	// The file given is hashed while the files are read, from another goroutine: the two reads
	// overlap instead of adding up.
	given := sha256.New()
	hashed := make(chan error, 1)
	go func() {
		_, err := io.Copy(given, io.NewSectionReader(v.r, 0, v.size))
		hashed <- err
	}()
	rebuilt := sha256.New()
	zw := newZipEncoder(rebuilt, v.m.CreatedAt)
	err := v.rebuild(zw)
	if herr := <-hashed; err == nil && herr != nil {
		err = invalid("lecture impossible", "it cannot be read")
	}
	if err != nil {
		return err
	}
	if zw.off != v.size || !bytes.Equal(given.Sum(nil), rebuilt.Sum(nil)) {
		return invalid("ses octets hors des fichiers ont été modifiés (en-têtes zip ou manifest.sig)",
			"its bytes outside the files were changed (zip headers or manifest.sig)")
	}
	return nil
}

// rebuild reads the files described by the manifest, compares each with its digest and line
// count, and writes the archive's container around them to zw, with manifest.json as read and
// manifest.sig as its values encode.
func (v *verifier) rebuild(zw *zipEncoder) error {
	sum := sha256.New()
	for i, name := range dataFiles {
		rc, err := v.openFile(name, maxFileSize)
		if err != nil {
			return err
		}
		zw.begin(name)
		sum.Reset()
		lc := &lineCounter{h: sum}
		_, err = io.Copy(io.MultiWriter(zw, lc), rc)
		rc.Close()
		// A wrong CRC is a file changed: its digest says so better just below, and a CRC
		// changed alone differs from the rebuilt container.
		if err != nil && !errors.Is(err, zip.ErrChecksum) {
			return readErr(name, err)
		}
		zw.end()
		want := v.m.Files[i]
		if hex.EncodeToString(sum.Sum(nil)) != want.SHA256 {
			return broken(whatFileHash, fileRef{name: name}, fileChain[name])
		}
		if lc.lines != want.Lines {
			return broken(whatFileLines, fileRef{name: name}, fileChain[name])
		}
	}
	zw.begin(FileManifest)
	zw.Write(v.raw)
	zw.end()
	zw.begin(FileSignature)
	zw.Write(v.sig.encode())
	zw.end()
	return zw.close()
}

// loadKeys reads keys.jsonl whole: the key records are few, and every other check needs them.
func (v *verifier) loadKeys() error {
	if v.m.Files[3].Lines > maxKeys {
		return invalid("trop de clés", "too many keys")
	}
	rc, err := v.openFile(FileKeys, maxFileSize)
	if err != nil {
		return err
	}
	defer rc.Close()
	sc := bufio.NewScanner(rc)
	sc.Buffer(make([]byte, 0, 4<<10), maxLine)
	for line := int64(1); sc.Scan(); line++ {
		it := v.parse(comptoir.KeyRecord, sc.Bytes(), line, false)
		v.keyItems = append(v.keyItems, it)
		if it.key == nil {
			continue
		}
		pub, err := it.key.Public()
		if err != nil || v.keys[it.key.Number] != nil {
			continue
		}
		k := &keyInfo{rec: *it.key, pub: pub}
		v.keys[it.key.Number] = k
	}
	if sc.Err() != nil {
		return readErr(FileKeys, sc.Err())
	}
	return nil
}

func (v *verifier) checkManifestSignature() error {
	k := v.keys[v.sig.Key]
	if k == nil || v.sig.Fingerprint != comptoir.KeyFingerprint(k.pub) {
		return comptoir.E(comptoir.CodeArchiveSignature)
	}
	sig, err := base64.RawURLEncoding.DecodeString(v.sig.Value)
	if err != nil || len(sig) != ed25519.SignatureSize || !ed25519.Verify(k.pub, v.raw, sig) {
		return comptoir.E(comptoir.CodeArchiveSignature)
	}
	return nil
}

// checkFingerprint checks that the key the person trusts handed over to the archive's key
// through rotations only: each rotation's record is signed by the key before it (which
// checkKeys verifies), so the trusted key vouches for the next one, and so on. A replacement
// breaks that: its key vouches for itself only.
func (v *verifier) checkFingerprint() error {
	want := strings.ToLower(strings.TrimSpace(v.opts.KeyFingerprint))
	if want == "" {
		return nil
	}
	refuse := comptoir.E(comptoir.CodeArchiveFingerprint, v.sig.Fingerprint, want)
	var trusted *keyInfo
	for _, k := range v.keys {
		if comptoir.KeyFingerprint(k.pub) == want {
			trusted = k
		}
	}
	if trusted == nil || trusted.rec.Number > v.sig.Key {
		return refuse
	}
	for n := trusted.rec.Number + 1; n <= v.sig.Key; n++ {
		if k := v.keys[n]; k == nil || k.rec.Reason != comptoir.KeyRotated {
			return refuse
		}
	}
	return nil
}

// keyFor is the key that must sign the record number n of a chain: the latest key whose From for
// the chain is below n. ok is false before the first key, where records are not signed.
func (v *verifier) keyFor(chain comptoir.Chain, n uint64) (uint64, bool) {
	for i := len(v.keyList) - 1; i >= 0; i-- {
		if k := v.keyList[i]; k.rec.From[chain] < n {
			return k.rec.Number, true
		}
	}
	return 0, false
}

// checkSig checks a record's signature against its chain: present from the first key on,
// signed by the key in effect, following the previous signature of its chain, and valid.
func (v *verifier) checkSig(chain comptoir.Chain, ref comptoir.RecordRef, it *item, key uint64, mustSign bool) error {
	sig := it.entry.Signature
	if !mustSign {
		if sig != nil {
			return broken(whatSigEarly, ref, chain)
		}
		return nil
	}
	if sig == nil {
		return broken(whatSigMissing, ref, chain)
	}
	if sig.Chain != chain {
		return broken(whatSigChain, ref, chain)
	}
	if sig.Key != key {
		return broken(whatSigKey, ref, chain)
	}
	prev := v.lastSig[chain]
	if sig.First != (prev == "") || sig.Prev != prev {
		return broken(whatSigLink, ref, chain)
	}
	if !it.sigOK {
		return broken(whatSignature, ref, chain)
	}
	v.lastSig[chain] = sig.Value
	v.rep.Signed++
	return nil
}

// checkKeys walks the key chain: hashes, links, numbers, and each record signed by the key
// before it (a rotation) or by itself (the first key, or a replacement: a declared break).
func (v *verifier) checkKeys() error {
	anchor := v.m.Anchors[comptoir.ChainKeys]
	prevHash, number := anchor.Hash, anchor.Number
	var prev *keyInfo
	for i := range v.keyItems {
		it := &v.keyItems[i]
		ref, err := v.common(it, FileKeys, comptoir.KeyRecord, prevHash, number)
		if err != nil {
			return err
		}
		k := v.keys[it.key.Number]
		if k == nil || k.item != nil {
			return broken(whatKeyValue, ref, comptoir.ChainKeys)
		}
		k.item = it
		it.sigOK = v.verifySig(it)
		if it.key.Fingerprint != comptoir.KeyFingerprint(k.pub) {
			return broken(whatKeyValue, ref, comptoir.ChainKeys)
		}
		signer := it.key.Number
		switch it.key.Reason {
		case comptoir.KeyCreated:
			if prev != nil || anchor.Number != 0 {
				return broken(whatKeyReason, ref, comptoir.ChainKeys)
			}
		case comptoir.KeyRotated, comptoir.KeyReplaced:
			if prev == nil {
				return broken(whatKeyReason, ref, comptoir.ChainKeys)
			}
			for c, n := range prev.rec.From {
				if it.key.From[c] < n {
					return broken(whatKeyFrom, ref, comptoir.ChainKeys)
				}
			}
			if it.key.Reason == comptoir.KeyRotated {
				signer = prev.rec.Number
			} else {
				v.rep.Breaks = append(v.rep.Breaks, it.key.Number)
			}
		default:
			return broken(whatKeyReason, ref, comptoir.ChainKeys)
		}
		// The worker checked the signature with the key the record names; that must be the
		// key the reason says.
		if err := v.checkSig(comptoir.ChainKeys, ref, it, signer, true); err != nil {
			return err
		}
		v.keyList = append(v.keyList, k)
		prev, prevHash, number = k, it.entry.Hash, it.key.Number
		v.counts.Keys++
		v.see(comptoir.ChainKeys, it)
	}
	if len(v.m.Keys) != len(v.keyList) {
		return broken(whatManifestKeys, fileRef{name: FileManifest}, comptoir.ChainKeys)
	}
	for i, k := range v.keyList {
		if v.m.Keys[i] != (KeyDigest{Number: k.rec.Number, Fingerprint: k.rec.Fingerprint, PublicKey: k.rec.PublicKey, Reason: k.rec.Reason}) {
			return broken(whatManifestKeys, fileRef{name: FileManifest}, comptoir.ChainKeys)
		}
	}
	return nil
}

// common checks what every record shares: readable, of the file's kind, its hash, its register,
// its number following the last one, its link to the previous record. It returns the record's
// name for the refusals that follow.
func (v *verifier) common(it *item, file string, kind comptoir.RecordKind, prevHash string, last uint64) (comptoir.RecordRef, error) {
	chain := fileChain[file]
	at := fileRef{name: file, line: it.line}
	if it.unreadable {
		return comptoir.RecordRef{}, broken(whatUnreadable, at, chain)
	}
	if it.entry.Kind != kind {
		return comptoir.RecordRef{}, broken(whatKind, at, chain)
	}
	if !it.decoded {
		return comptoir.RecordRef{}, broken(whatUnreadable, at, comptoir.ChainOf(kind))
	}
	chain = comptoir.ChainOf(kind)
	ref := comptoir.RecordRef{Kind: kind, Number: it.number, Position: uint64(it.line)}
	switch {
	case !it.hashOK:
		return ref, broken(whatHash, ref, chain)
	case it.register != v.m.Register:
		return ref, broken(whatRegister, ref, chain)
	case it.number != last+1:
		return ref, broken(whatNumber, ref, chain)
	case it.prevHash != prevHash:
		return ref, broken(whatLink, ref, chain)
	}
	return ref, nil
}

// checkSimple walks a file of reprints or technical events: each its own hash chain and
// signature chain.
func (v *verifier) checkSimple(file string, kind comptoir.RecordKind, count *int) error {
	chain := comptoir.ChainOf(kind)
	anchor := v.m.Anchors[chain]
	first := uint64(0)
	if len(v.keyList) > 0 {
		first = v.keyList[0].rec.From[chain]
	}
	prevHash, number := anchor.Hash, anchor.Number
	return v.stream(file, kind, func(it *item) error {
		ref, err := v.common(it, file, kind, prevHash, number)
		if err != nil {
			return err
		}
		key, _ := v.keyFor(chain, it.number)
		if err := v.checkSig(chain, ref, it, key, len(v.keyList) > 0 && it.number > first); err != nil {
			return err
		}
		prevHash, number = it.entry.Hash, it.number
		v.see(chain, it)
		*count++
		return nil
	})
}

// see notes a record's hash and signature, for the chain heads closings recorded.
func (v *verifier) see(chain comptoir.Chain, it *item) {
	if v.seen == nil {
		v.seen = map[comptoir.Chain]map[uint64][2]string{}
	}
	if v.seen[chain] == nil {
		v.seen[chain] = map[uint64][2]string{}
	}
	sig := ""
	if it.entry.Signature != nil {
		sig = it.entry.Signature.Value
	}
	v.seen[chain][it.number] = [2]string{it.entry.Hash, sig}
}

// checkHeads checks the chain heads the closings recorded against the records read: a head the
// archive holds must be that record, and one past the archive's last record names records
// deleted from the chain's end. A head before the archive's first record is the previous
// archive's to check.
func (v *verifier) checkHeads() error {
	for _, h := range v.heads {
		chain := h.head.Chain
		anchor := v.m.Anchors[chain]
		missing := broken(whatChainHead, comptoir.RecordRef{Kind: comptoir.KindOfChain(chain), Number: h.head.Number}, chain)
		if chain == comptoir.ChainKeys {
			anchor = Anchor{}
		}
		switch got, ok := v.seen[chain][h.head.Number]; {
		case ok:
			if got[0] != h.head.Hash || h.head.Signature != "" && got[1] != h.head.Signature {
				return missing
			}
		case h.head.Number == anchor.Number && anchor.Number != 0:
			if anchor.Hash != h.head.Hash {
				return missing
			}
		case h.head.Number > anchor.Number:
			return missing
		}
	}
	return nil
}

// journalState is the walk of the tickets and closings: one hash chain, two numberings, two
// signature chains, the perpetual grand totals and the totals of each day and closed period.
type journalState struct {
	prevHash      string
	ticket        uint64
	closing       uint64
	gt            comptoir.Money
	gtAbs         comptoir.Money
	days          map[string]*comptoir.Totals
	closed        map[string]comptoir.Totals
	start         string
	periodClosing *comptoir.Closing
}

// sealedIn reports the period already closed in the walk (the period itself, its month or its
// year) that period falls in.
func (s *journalState) sealedIn(period string) (string, bool) {
	for _, n := range []int{len("2006-01-02"), len("2006-01"), len("2006")} {
		if len(period) >= n {
			if _, ok := s.closed[period[:n]]; ok {
				return period[:n], true
			}
		}
	}
	return "", false
}

// checkJournal walks the tickets and closings with the rules of the register's own verifier
// (store/verify.go), from the anchors instead of the journal's start. The totals of a closing are
// checked when its period starts within the archive's period: the archive holds every ticket
// of those days. A closing of an earlier period recorded during this one (last month's, made on
// the 2nd) is checked for its links, grand totals and signature only.
func (v *verifier) checkJournal() error {
	start, _, _ := comptoir.PeriodBounds(v.m.Period)
	s := &journalState{
		prevHash: v.m.Anchors[comptoir.ChainTickets].Hash,
		ticket:   v.m.Anchors[comptoir.ChainTickets].Number,
		closing:  v.m.Anchors[comptoir.ChainClosings].Number,
		gt:       v.m.GrandTotalBefore, gtAbs: v.m.GrandTotalAbsBefore,
		days: map[string]*comptoir.Totals{}, closed: map[string]comptoir.Totals{}, start: start,
	}
	var firstTicket, firstClosing uint64
	if len(v.keyList) > 0 {
		firstTicket = v.keyList[0].rec.From[comptoir.ChainTickets]
		firstClosing = v.keyList[0].rec.From[comptoir.ChainClosings]
	}
	err := v.stream(FileJournal, "", func(it *item) error {
		kind := it.entry.Kind
		if kind != comptoir.TicketRecord && kind != comptoir.ClosingRecord {
			kind = comptoir.TicketRecord // so that common refuses it as unexpected
		}
		last := s.ticket
		if kind == comptoir.ClosingRecord {
			last = s.closing
		}
		ref, err := v.common(it, FileJournal, kind, s.prevHash, last)
		if err != nil {
			return err
		}
		chain := comptoir.ChainOf(kind)
		if kind == comptoir.TicketRecord {
			err = v.checkTicket(s, ref, it)
		} else {
			err = v.checkClosing(s, ref, it)
		}
		if err != nil {
			return err
		}
		first := firstTicket
		if kind == comptoir.ClosingRecord {
			first = firstClosing
		}
		key, _ := v.keyFor(chain, it.number)
		if err := v.checkSig(chain, ref, it, key, len(v.keyList) > 0 && it.number > first); err != nil {
			return err
		}
		s.prevHash = it.entry.Hash
		if kind == comptoir.TicketRecord {
			s.ticket = it.number
			v.counts.Tickets++
		} else {
			s.closing = it.number
			v.counts.Closings++
		}
		return nil
	})
	if err != nil {
		return err
	}
	c := s.periodClosing
	if c == nil {
		return broken(whatNoClosing, fileRef{name: FileJournal}, comptoir.ChainClosings)
	}
	if !c.Totals.Equal(v.m.Totals) || c.GrandTotal != v.m.GrandTotal || c.GrandTotalAbs != v.m.GrandTotalAbs || c.Number != v.m.Closing {
		return broken(whatManifestTot, comptoir.RecordRef{Kind: comptoir.ClosingRecord, Number: c.Number}, comptoir.ChainClosings)
	}
	return nil
}

func (v *verifier) checkTicket(s *journalState, ref comptoir.RecordRef, it *item) error {
	sale := it.sale
	if _, err := comptoir.ParseDay(sale.Day); err != nil || !it.saleOK {
		return broken(whatTotals, ref, comptoir.ChainTickets)
	}
	if _, ok := s.sealedIn(sale.Day); ok {
		return broken(whatSealed, ref, comptoir.ChainTickets)
	}
	gt := s.gt
	if !sale.Training {
		gt += sale.Total
	}
	if sale.GrandTotal != gt {
		return broken(whatGrandTotal, ref, comptoir.ChainTickets)
	}
	t := s.days[sale.Day]
	if t == nil {
		t = &comptoir.Totals{}
		s.days[sale.Day] = t
	}
	t.Add(*sale)
	s.gt, s.gtAbs = gt, comptoir.AbsGrandTotal(s.gtAbs, *sale)
	return nil
}

func (v *verifier) checkClosing(s *journalState, ref comptoir.RecordRef, it *item) error {
	c := it.closing
	if kind, err := comptoir.ParsePeriod(c.Period); err != nil || kind != c.Kind {
		return broken(whatTotals, ref, comptoir.ChainClosings)
	}
	if _, ok := s.sealedIn(c.Period); ok {
		return broken(whatDuplicate, ref, comptoir.ChainClosings)
	}
	if first, _, _ := comptoir.PeriodBounds(c.Period); first >= s.start {
		var want comptoir.Totals
		switch c.Kind {
		case comptoir.DayClosing:
			if t := s.days[c.Period]; t != nil {
				want = *t
			}
		default:
			for p, t := range s.closed {
				if len(p) == len(c.Period)+3 && strings.HasPrefix(p, c.Period+"-") {
					want.Merge(t)
				}
			}
		}
		if !want.Equal(c.Totals) {
			return broken(whatTotals, ref, comptoir.ChainClosings)
		}
	}
	if !c.CountConsistent() {
		return broken(whatTotals, ref, comptoir.ChainClosings)
	}
	if c.GrandTotal != s.gt {
		return broken(whatGrandTotal, ref, comptoir.ChainClosings)
	}
	// Closings made before signatures existed do not carry the absolute grand total.
	if (c.GrandTotalAbs != 0 || it.entry.Signature != nil) && c.GrandTotalAbs != s.gtAbs {
		return broken(whatGrandAbs, ref, comptoir.ChainClosings)
	}
	for _, h := range c.Chains {
		v.heads = append(v.heads, recordedHead{closing: ref, head: h})
	}
	s.closed[c.Period] = c.Totals
	if c.Period == v.m.Period && s.periodClosing == nil {
		s.periodClosing = c
	}
	return nil
}
