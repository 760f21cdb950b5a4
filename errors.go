package comptoir

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"syscall"
)

// Code names a refusal independently of the language it is explained in. Codes are stable: the
// UI, the CLI and tests match on them with errors.Is.
type Code string

// Error is the one error type of the domain. Every refusal the register can give is an *Error
// with a Code, the values the explanation refers to, and possibly the error that caused it. The UI
// and the CLI turn it into a sentence for the cashier with Message.
type Error struct {
	Code Code
	// Args are the values the message refers to, in the order the message templates use them.
	Args []any
	// Err is the cause, when the refusal wraps another error (a CSV row wraps the bad price).
	Err error
}

// E builds an *Error for a code and the values its message refers to.
func E(code Code, args ...any) *Error { return &Error{Code: code, Args: args} }

// Wrap builds an *Error whose explanation ends with the explanation of its cause.
func Wrap(code Code, cause error, args ...any) *Error {
	return &Error{Code: code, Args: args, Err: cause}
}

// Error explains the refusal in English, for logs and for callers that know no language.
func (e *Error) Error() string { return e.Message(LangEN) }

// Unwrap returns the cause, so errors.Is and errors.As see through a wrapping refusal.
func (e *Error) Unwrap() error { return e.Err }

// Is reports whether target is an *Error with the same code, so that
// errors.Is(err, comptoir.ErrEmptyTicket) holds whatever values the refusal carries.
func (e *Error) Is(target error) bool {
	t, ok := target.(*Error)
	return ok && t.Code == e.Code
}

// Message explains the refusal in a language, as one sentence a cashier can act on.
func (e *Error) Message(l Lang) string {
	tpl, ok := messages[e.Code]
	var s string
	if !ok {
		s = string(e.Code)
	} else {
		text := tpl.fr
		if l == LangEN {
			text = tpl.en
		}
		args := make([]any, len(e.Args))
		for i, a := range e.Args {
			switch v := a.(type) {
			case interface{ Format(Lang) string }:
				args[i] = v.Format(l)
			case string:
				args[i] = quoteInput(v)
			default:
				args[i] = a
			}
		}
		s = fmt.Sprintf(text, args...)
	}
	if e.Err != nil {
		sep := " : "
		if l == LangEN {
			sep = ": "
		}
		// A domain cause explains itself in the language; any other cause (the system's words for a
		// disk or file error) is the detail of a sentence that already says what failed.
		var inner *Error
		if errors.As(e.Err, &inner) {
			s += sep + inner.Message(l)
		} else if text, ok := systemText(e.Err, l); ok {
			s += sep + text
		} else {
			s += sep + e.Err.Error()
		}
	}
	return s
}

// maxQuoted bounds how much of an input a message repeats, so that it stays one readable line.
const maxQuoted = 120

// quoteInput prepares text that came from outside (a scan, a CSV cell) for a message: no control
// character or escape sequence may reach the terminal, and a long input is cut.
func quoteInput(s string) string {
	s = CleanText(s)
	if r := []rune(s); len(r) > maxQuoted {
		s = string(r[:maxQuoted]) + "…"
	}
	return s
}

// Message explains any error in a language. Domain refusals get their own sentence; anything else
// (a disk error, a bug) is reported as an unexpected error with its text, never hidden.
func Message(err error, l Lang) string {
	if err == nil {
		return ""
	}
	var e *Error
	if errors.As(err, &e) {
		return e.Message(l)
	}
	if text, ok := systemText(err, l); ok {
		return text
	}
	if l == LangEN {
		return "unexpected error: " + err.Error()
	}
	return "erreur inattendue : " + err.Error()
}

// systemTexts explain the system errors a shop meets (a full disk, a failing drive, a file the
// user may not write) in the user's language instead of the system's English words.
var systemTexts = []struct {
	errs []error
	text message
}{
	{[]error{syscall.ENOSPC, syscall.EDQUOT}, message{"disque plein : libérez de la place puis réessayez",
		"disk full: free some space and try again"}},
	{[]error{syscall.EIO}, message{"erreur d'entrée-sortie : le disque ou la clé est peut-être défaillant",
		"input/output error: the disk or drive may be failing"}},
	{[]error{syscall.EROFS}, message{"système de fichiers en lecture seule",
		"read-only file system"}},
	{[]error{syscall.EACCES, syscall.EPERM, fs.ErrPermission}, message{"permission refusée",
		"permission denied"}},
	{[]error{fs.ErrNotExist, syscall.ENOTDIR}, message{"fichier ou dossier introuvable",
		"no such file or directory"}},
}

// systemText explains an error that is not a refusal of the domain but one the system or a
// decoder gave: a full disk, an I/O error, a permission, a record that is not valid JSON. It
// keeps the file's path when the error names one, and reports false for any other error.
func systemText(err error, l Lang) (string, bool) {
	var text message
	found := false
	for _, t := range systemTexts {
		for _, target := range t.errs {
			if errors.Is(err, target) {
				text, found = t.text, true
				break
			}
		}
		if found {
			break
		}
	}
	var syntax *json.SyntaxError
	var typ *json.UnmarshalTypeError
	if !found && (errors.As(err, &syntax) || errors.As(err, &typ)) {
		text, found = message{"enregistrement illisible", "unreadable record"}, true
	}
	if !found {
		return "", false
	}
	s := text.fr
	if l == LangEN {
		s = text.en
	}
	var pathErr *fs.PathError
	var linkErr *os.LinkError
	switch {
	case errors.As(err, &pathErr):
		s += " (" + quoteInput(pathErr.Path) + ")"
	case errors.As(err, &linkErr):
		s += " (" + quoteInput(linkErr.New) + ")"
	}
	return s, true
}

// The refusal codes. Each has a sentence in every language in messages.
const (
	CodeUnknownLang            Code = "unknown_lang"
	CodeInvalidAmount          Code = "invalid_amount"
	CodeAmountTooLarge         Code = "amount_too_large"
	CodeInvalidPrice           Code = "invalid_price"
	CodeGTINLength             Code = "gtin_length"
	CodeGTINChars              Code = "gtin_chars"
	CodeGTINCheckDigit         Code = "gtin_check_digit"
	CodeUnknownVATRate         Code = "unknown_vat_rate"
	CodeEmptyName              Code = "empty_name"
	CodeEmptyTicket            Code = "empty_ticket"
	CodeTooManyLines           Code = "too_many_lines"
	CodeUnknownProduct         Code = "unknown_product"
	CodeZeroQuantity           Code = "zero_quantity"
	CodeNegativeQuantity       Code = "negative_quantity"
	CodeQuantityTooLarge       Code = "quantity_too_large"
	CodeUnderpaid              Code = "underpaid"
	CodeOverpaidNonCash        Code = "overpaid_non_cash"
	CodeInvalidPayment         Code = "invalid_payment"
	CodeUnknownPaymentMethod   Code = "unknown_payment_method"
	CodeRefundPaymentMismatch  Code = "refund_payment_mismatch"
	CodeRefundPositiveQuantity Code = "refund_positive_quantity"
	CodeRefundOfRefund         Code = "refund_of_refund"
	CodeRefundNotInOriginal    Code = "refund_not_in_original"
	CodeRefundExceeds          Code = "refund_exceeds"
	CodeRefundTrainingMismatch Code = "refund_training_mismatch"
	CodeTicketNotFound         Code = "ticket_not_found"
	CodeInvalidDate            Code = "invalid_date"
	CodeInvalidPeriod          Code = "invalid_period"
	CodeDayClosed              Code = "day_closed"
	CodeAlreadyClosed          Code = "already_closed"
	CodePeriodNotOver          Code = "period_not_over"
	CodeUnclosedPeriod         Code = "unclosed_period"
	CodeInvalidRegister        Code = "invalid_register"
	CodeDatabaseInUse          Code = "database_in_use"
	CodeDatabaseMissing        Code = "database_missing"
	CodeSchemaTooNew           Code = "schema_too_new"
	CodeCorruptRecord          Code = "corrupt_record"
	CodeCSVEmpty               Code = "csv_empty"
	CodeCSVLine                Code = "csv_line"
	CodeCSVColumns             Code = "csv_columns"
	CodeCSVHeader              Code = "csv_header"
	CodeCSVDuplicate           Code = "csv_duplicate"
	CodeCSVSyntax              Code = "csv_syntax"
	CodeCSVQuote               Code = "csv_quote"
	CodeCSVBareQuote           Code = "csv_bare_quote"
	CodeCSVTooLarge            Code = "csv_too_large"
	CodeCannotRead             Code = "cannot_read"
	CodeFileNotFound           Code = "file_not_found"
	CodeNotADatabase           Code = "not_a_database"
	CodeUnknownRegister        Code = "unknown_register"
	CodeJournalNotEmpty        Code = "journal_not_empty"
	CodeClosedPeriodTicket     Code = "closed_period_ticket"
	CodeDuplicateClosing       Code = "duplicate_closing"
	CodeRunningTotalsMismatch  Code = "running_totals_mismatch"
	CodeNotACard               Code = "not_a_card"
	CodeUnknownLawfulBasis     Code = "unknown_lawful_basis"
	CodeUnknownChannel         Code = "unknown_channel"
	CodeInvalidConsentAnswer   Code = "invalid_consent_answer"
	CodeConsentMissing         Code = "consent_missing"
	CodeEmptyPersonName        Code = "empty_person_name"
	CodePersonNameTooLong      Code = "person_name_too_long"
	CodeInvalidEmail           Code = "invalid_email"
	CodeInvalidPhone           Code = "invalid_phone"
	CodeInvalidPointsRule      Code = "invalid_points_rule"
	CodeRedeemUnit             Code = "redeem_unit"
	CodeInsufficientPoints     Code = "insufficient_points"
	CodeInvalidDiscount        Code = "invalid_discount"
	CodeKeyMissing             Code = "key_missing"
	CodeKeyInvalid             Code = "key_invalid"
	CodeKeyMismatch            Code = "key_mismatch"
	CodeUnknownCard            Code = "unknown_card"
	CodeCardTaken              Code = "card_taken"
	CodeUnknownCustomer        Code = "unknown_customer"
	CodeStopProcessing         Code = "stop_processing"
	CodeCustomerErased         Code = "customer_erased"
	CodeBlockedEmail           Code = "blocked_email"
	CodeEmailTaken             Code = "email_taken"
	CodePhoneTaken             Code = "phone_taken"
	CodeNothingToUpdate        Code = "nothing_to_update"
	CodeInvalidSetting         Code = "invalid_setting"
	CodeUnknownSetting         Code = "unknown_setting"
	CodeUnknownVia             Code = "unknown_via"
	CodeInvalidCustomerID      Code = "invalid_customer_id"
	CodeCompactFailed          Code = "compact_failed"
	CodeCannotWrite            Code = "cannot_write"
	CodeKeyPermissions         Code = "key_permissions"
	CodeBasisNotForEnrolment   Code = "basis_not_for_enrolment"
	CodeHashMismatch           Code = "hash_mismatch"
	CodeChainBroken            Code = "chain_broken"
	CodeNumberGap              Code = "number_gap"
	CodeTotalsMismatch         Code = "totals_mismatch"
	CodeGrandTotalMismatch     Code = "grand_total_mismatch"
	CodeUnreadableRecord       Code = "unreadable_record"
	CodeRecordMissing          Code = "record_missing"
	CodeScannerConfig          Code = "scanner_config"
	CodeScannerUnplugged       Code = "scanner_unplugged"
	CodeScannerPermission      Code = "scanner_permission"
	CodeScannerFailed          Code = "scanner_failed"
)

// Codes of the restriction of processing (RGPD art. 18).
const (
	// CodeNotRestricted refuses to lift a restriction from a member who is not restricted.
	CodeNotRestricted Code = "not_restricted"
)

// Refusals of an output path: no command writes over the database, a key or an
// existing file, and a receipt goes to a printer or a new file.
const (
	CodeOutputExists    Code = "output_exists"
	CodeOutputProtected Code = "output_protected"
	CodeOutputNotFile   Code = "output_not_file"
	CodeNotAPrinter     Code = "not_a_printer"
)

// Codes of damaged database files.
const (
	// CodeDatabaseDamaged names a part of the file's bucket tree that is missing.
	CodeDatabaseDamaged Code = "database_damaged"
)

// Refusals of periods, of input (catalogue, settings, scans) and of payments by meal voucher.
const (
	CodePeriodInFuture      Code = "period_in_future"
	CodePeriodBeforeJournal Code = "period_before_journal"
	CodePeriodEmptyJournal  Code = "period_empty_journal"
	CodeMealVoucherExceeds  Code = "meal_voucher_exceeds"
	CodeGTINZero            Code = "gtin_zero"
	CodeProductIsCard       Code = "product_is_card"
	CodeAmountGrouping      Code = "amount_grouping"
	CodeCSVEncoding         Code = "csv_encoding"
	CodeSettingEmpty        Code = "setting_empty"
	CodeSIRETLength         Code = "siret_length"
	CodeSIRETChars          Code = "siret_chars"
	CodeSIRETKey            Code = "siret_key"
	CodeVATNumberCountry    Code = "vat_number_country"
	CodeVATNumberFormat     Code = "vat_number_format"
	CodeVATNumberKey        Code = "vat_number_key"
	CodePointsPerEuroRange  Code = "points_per_euro_range"
	CodeRedeemPointsRange   Code = "redeem_points_range"
	CodeRedeemValueRange    Code = "redeem_value_range"
	CodePointsRebateTooHigh Code = "points_rebate_too_high"
	CodeNotACode            Code = "not_a_code"
)

// Refusals of the register's screens.
const (
	// CodeInvalidQuantity refuses a quantity typed before a code ("3*") or for a line (F3).
	CodeInvalidQuantity Code = "invalid_quantity"
)

// Codes of users and roles.
const (
	CodeInvalidUserID    Code = "invalid_user_id"
	CodeUnknownRole      Code = "unknown_role"
	CodePINDigits        Code = "pin_digits"
	CodePINLength        Code = "pin_length"
	CodePINTrivial       Code = "pin_trivial"
	CodePINMismatch      Code = "pin_mismatch"
	CodePINMissing       Code = "pin_missing"
	CodePINUnchanged     Code = "pin_unchanged"
	CodeUserExists       Code = "user_exists"
	CodeUnknownUser      Code = "unknown_user"
	CodeLoginRefused     Code = "login_refused"
	CodeUserLocked       Code = "user_locked"
	CodeUserDisabled     Code = "user_disabled"
	CodeFirstUserManager Code = "first_user_manager"
	CodeLastManager      Code = "last_manager"
	CodeManagerOnly      Code = "manager_only"
	CodeOwnPINOnly       Code = "own_pin_only"
	CodeMustChangePIN    Code = "must_change_pin"
	CodeLoginRequired    Code = "login_required"
	CodePINNoTerminal    Code = "pin_no_terminal"
)

// Codes of the register's screen as the command line meets it.
const (
	// CodeRegisterOpen and CodeRegisterOpenBy say that a command found the database held by the
	// register's screen on this machine (by its PID), with nobody or someone logged in.
	CodeRegisterOpen   Code = "register_open"
	CodeRegisterOpenBy Code = "register_open_by"
	// CodeNoTerminal refuses to open the register's screen where there is no terminal to draw it.
	CodeNoTerminal Code = "no_terminal"
)

// Refusals of the register's member panel and receipt question.
const (
	// CodeNoPrinter refuses a print asked for at a register without a receipt printer.
	CodeNoPrinter Code = "no_printer"
	// CodeNoFileName refuses saving a receipt under an empty name.
	CodeNoFileName Code = "no_file_name"
	// CodeNotEnoughPoints says a member's balance buys no unit of points off this ticket.
	CodeNotEnoughPoints Code = "not_enough_points"
)

// Refusals of the register's manager screen.
const (
	CodeTrainingTicketOpen  Code = "training_ticket_open"
	CodeZCloseTicketOpen    Code = "z_close_ticket_open"
	CodeRefundNothingChosen Code = "refund_nothing_chosen"
	CodeInvalidTicketNumber Code = "invalid_ticket_number"
	CodeActionUnavailable   Code = "action_unavailable"
	CodeExportExists        Code = "export_exists"
)

// Refusals of the device settings (device.*).
const (
	CodeDevicePort Code = "device_port"
	CodeBaudRate   Code = "baud_rate"
	CodePaperWidth Code = "paper_width"
)

// Refusals of items without a barcode: scale codes (variable measure) and open-price departments.
const (
	// CodeScaleZero refuses a scale code whose embedded price or weight is zero.
	CodeScaleZero Code = "scale_zero"
	// CodeScalePriceCheck refuses a scale code whose price check digit disagrees with its price.
	CodeScalePriceCheck Code = "scale_price_check"
	// CodeUnknownScaleItem says a scale code's item is not in the catalogue under its base code.
	CodeUnknownScaleItem Code = "unknown_scale_item"
	// CodeUnknownScaleLayout refuses a scale layout that is none of the named ones.
	CodeUnknownScaleLayout Code = "unknown_scale_layout"
	// CodeInvalidDepartments refuses a list of departments that cannot be read.
	CodeInvalidDepartments Code = "invalid_departments"
	// CodeOpenPriceInvalid refuses an open price that is not an amount, is zero or is too large.
	CodeOpenPriceInvalid Code = "open_price_invalid"
)

// Refusals of the manager screen's reports on paper and of its retention purge.
const (
	// CodeNoReportPrinter refuses printing a report at a register without a receipt printer.
	CodeNoReportPrinter Code = "no_report_printer"
	// CodeNothingToPurge says the retention purge found no member to erase.
	CodeNothingToPurge Code = "nothing_to_purge"
)

// Refusals of the central loyalty API.
const (
	// CodeSeqGap refuses a push whose first new event does not follow the acknowledged sequence.
	CodeSeqGap Code = "seq_gap"
	// CodeSeqConflict refuses a push that sends an acknowledged sequence number with another
	// event than the one stored.
	CodeSeqConflict Code = "seq_conflict"
	// CodeUnknownRegisterCentral answers about a register that never pushed.
	CodeUnknownRegisterCentral Code = "unknown_register_central"
	// CodeReservedRegister refuses the name reserved for the administrator.
	CodeReservedRegister Code = "reserved_register"
)

// Refusals of the central's storage: batches it cannot take, and a file that is not its own.
const (
	// CodeBatchOrder refuses a push whose sequence numbers do not strictly increase from 1 on
	// (arg: the first sequence out of order).
	CodeBatchOrder Code = "batch_order"
	// CodeEventWithoutID refuses a push with an event that has no ID (arg: its sequence).
	CodeEventWithoutID Code = "event_without_id"
	// CodeRegisterDatabase refuses to open a register's database as the central's (arg: path).
	CodeRegisterDatabase Code = "register_database"
)

// Refusals of the central's HTTP layer: who may speak, and what a batch may be.
const (
	// CodeUnauthorized answers a request without a token, or with one the central does not know.
	CodeUnauthorized Code = "unauthorized"
	// CodeForbiddenRegister answers a valid token that does not speak for the register named.
	CodeForbiddenRegister Code = "forbidden_register"
	// CodeBatchTooLarge refuses a body larger than the central's limit once decompressed.
	CodeBatchTooLarge Code = "batch_too_large"
	// CodeBatchTooManyEvents refuses a batch with more events than the central's limit.
	CodeBatchTooManyEvents Code = "batch_too_many_events"
	// CodeMalformedBatch refuses a body that is not a complete batch: broken or truncated JSON
	// or gzip, an event without its sequence number or id.
	CodeMalformedBatch Code = "malformed_batch"
)

// Refusals of the register's syncer: what it tells the shop when a push cannot finish.
const (
	// CodeRegisterBehindCentral refuses to go on when the central acknowledged events past the
	// last one this register's file ever numbered (args: the central's sequence, the file's).
	CodeRegisterBehindCentral Code = "register_behind_central"
	// CodeRegisterDiverged refuses to go on when the central holds another event under one of
	// this register's sequence numbers (args: the first and last sequences of the batch refused).
	CodeRegisterDiverged Code = "register_diverged"
	// CodeCentralBehind refuses to go on when the central expects an event this register already
	// dropped after the central acknowledged it (args: the expected sequence, the first pending).
	CodeCentralBehind Code = "central_behind"
	// CodeCentralUnreachable says the central could not be reached, after retries (arg: its URL).
	CodeCentralUnreachable Code = "central_unreachable"
	// CodeCentralFailing says the central kept answering with a server error (arg: the status).
	CodeCentralFailing Code = "central_failing"
	// CodeCentralRefused wraps a refusal of the central this register cannot act on by itself
	// (arg: the HTTP status); its cause carries the central's code and sentence.
	CodeCentralRefused Code = "central_refused"
	// CodeCentralAnswer says the central's answer could not be read (arg: the HTTP status).
	CodeCentralAnswer Code = "central_answer"
	// CodeNoCentral refuses a sync without the central's address.
	CodeNoCentral Code = "no_central"
	// CodeNoSyncToken refuses a sync without the register's token.
	CodeNoSyncToken Code = "no_sync_token"
	// CodeTokenFileOpen refuses a token file other users may read (arg: its path).
	CodeTokenFileOpen Code = "token_file_open"
	// CodeSyncPending says events were recorded while a sync ran and are still to send (arg:
	// their number).
	CodeSyncPending Code = "sync_pending"
	// CodeCentralKeyChanged refuses a set-up whose central key differs from the one this
	// register pinned: another central, or one whose key was replaced.
	CodeCentralKeyChanged Code = "central_key_changed"
	// CodeCentralKeyInvalid refuses a central key that is not an X25519 public key.
	CodeCentralKeyInvalid Code = "central_key_invalid"
)

// Refusals of the register's pull: a change feed that cannot be read to its end.
const (
	// CodeFeedStuck stops a pull when the central says more changes wait but gives back the
	// cursor the register sent (arg: that cursor), which would make the register ask forever.
	CodeFeedStuck Code = "feed_stuck"
	// CodeSyncCentralURL refuses a sync.central setting that is not an http or https address
	// (arg: the value).
	CodeSyncCentralURL Code = "sync_central_url"
	// CodeSyncTokenPath refuses a sync.token-file setting that is not an absolute path (arg: the
	// value).
	CodeSyncTokenPath Code = "sync_token_path"
)

// Refusals of the register's side of the pull: its set-up and the pages of changes it applies.
const (
	// CodeInvalidSetup refuses a set-up the central sent that cannot be used (arg: what is wrong).
	CodeInvalidSetup Code = "invalid_setup"
	// CodeCardBlockChanged refuses a set-up whose block of card numbers differs from the one this
	// register received first (args: the first and last of the old block, then of the new one).
	CodeCardBlockChanged Code = "card_block_changed"
	// CodeCardBlockExhausted says every card number of the register's block is used (args: the
	// block's first and last sequence numbers).
	CodeCardBlockExhausted Code = "card_block_exhausted"
	// CodeInvalidChange refuses a page of changes with a change that cannot be applied, and the
	// whole page with it (args: the change's position from 1, its kind); its cause says why.
	CodeInvalidChange Code = "invalid_change"
	// CodeRemoteMember refuses, for a member enrolled at another shop, what only the register
	// that holds their personal data can do (arg: the member's ID).
	CodeRemoteMember Code = "remote_member"
)

// Refusals of the central's key file and change feed.
const (
	// CodeCentralKeyLost refuses to open an existing central database whose key file is gone:
	// a new key would leave every member's personal data unreadable and every register's pinned
	// key wrong (arg: the key file's path).
	CodeCentralKeyLost Code = "central_key_lost"
	// CodeInvalidCursor refuses a change-feed cursor the central did not write (arg: the cursor).
	CodeInvalidCursor Code = "invalid_cursor"
	// CodeCursorAhead refuses a cursor past the end of the central's feed: the central was put
	// back from an older backup (args: the cursor's position, the feed's last).
	CodeCursorAhead Code = "cursor_ahead"
)

// Refusals of the central's pull and back-office endpoints, and of the register's trust in the
// central's certificate.
const (
	// CodeMalformedBody refuses a request body that is not a complete JSON document of the
	// expected shape (arg: what is wrong). Nothing is stored.
	CodeMalformedBody Code = "malformed_body"
	// CodeBodyTooLarge refuses a request body larger than the central's limit once
	// decompressed (arg: the limit in bytes).
	CodeBodyTooLarge Code = "body_too_large"
	// CodeInvalidParameter refuses a query parameter or header the central cannot read (args:
	// its name, the value given).
	CodeInvalidParameter Code = "invalid_parameter"
	// CodeAdminOnly answers a register's token on an endpoint of the administrator's.
	CodeAdminOnly Code = "admin_only"
	// CodeRegisterOnly answers the administrator's token on an endpoint that speaks for one
	// register, such as the change feed.
	CodeRegisterOnly Code = "register_only"
	// CodeCAFileInvalid refuses a CA file that holds no PEM certificate (arg: its path).
	CodeCAFileInvalid Code = "ca_file_invalid"
	// CodeCentralUntrusted says the central's certificate could not be verified (args: its URL,
	// the verifier's reason): a setting to fix, not a network to wait for.
	CodeCentralUntrusted Code = "central_untrusted"
)

// Refusals of the register's pull, second increment: a change it skips rather than refuse its page.
const (
	// CodeChangeSkipped says a change of the feed could not be applied and was left out, the rest
	// of its page applied and its cursor stored (args: the change's position from 1, its kind);
	// its cause says why.
	CodeChangeSkipped Code = "change_skipped"
	// CodeMalformedChange says what is wrong in a change the central sent (arg: what).
	CodeMalformedChange Code = "malformed_change"
	// CodeMalformedPage refuses a page of changes that cannot be used as a whole, such as one
	// without a next cursor: nothing of it is applied (arg: what is wrong).
	CodeMalformedPage Code = "malformed_page"
)

// Refusals of the register's client when the central's answer is larger than it reads.
const (
	// CodeAnswerTooLarge says the central's answer passed what the register reads of one (arg:
	// that limit in bytes): nothing of it is used, and asking again gets the same answer.
	CodeAnswerTooLarge Code = "answer_too_large"
)

// Refusals of the signed journal, the technical event log and the fiscal archive (NF525).
const (
	// CodeSigningKeyMissing says the register's signing key file is missing while the journal
	// declares a key (arg: its path): nothing can be recorded until it is restored from the
	// backup, or declared lost with comptoir key replace.
	CodeSigningKeyMissing Code = "signing_key_missing"
	// CodeSigningKeyInvalid says a signing key file, or a key record, cannot be read as one
	// (arg: what).
	CodeSigningKeyInvalid Code = "signing_key_invalid"
	// CodeSigningKeyMismatch says the signing key file is not the key the journal declares last
	// (arg: its path): a file from another register or an old backup.
	CodeSigningKeyMismatch Code = "signing_key_mismatch"
	// CodeSigningKeyPresent refuses comptoir key replace while the key file is there and valid
	// (arg: its path): a key that is not lost is rotated.
	CodeSigningKeyPresent Code = "signing_key_present"
	// CodeSigningKeyPermissions refuses a signing key file others can read (args: its path,
	// twice).
	CodeSigningKeyPermissions Code = "signing_key_permissions"
	// CodeUnknownTechEvent refuses a technical event code this version does not know (arg: it).
	CodeUnknownTechEvent Code = "unknown_tech_event"
	// CodeSignatureInvalid says a record's signature does not verify (args: the record, its
	// chain's label).
	CodeSignatureInvalid Code = "signature_invalid"
	// CodeSignatureMissing says a record that must be signed is not (args: the record, its
	// chain's label).
	CodeSignatureMissing Code = "signature_missing"
	// CodeSignatureChainBroken says a signature does not follow the previous one of its chain
	// (args: the record, its chain's label).
	CodeSignatureChainBroken Code = "signature_chain_broken"
	// CodeArchiveInvalid says a file is not a readable Comptoir archive (arg: what is wrong).
	CodeArchiveInvalid Code = "archive_invalid"
	// CodeArchiveSignature says the archive's own signature does not verify: the archive was
	// changed after its export.
	CodeArchiveSignature Code = "archive_signature"
	// CodeArchiveFingerprint says the archive's key is not the one expected (args: the archive's
	// fingerprint, the expected one).
	CodeArchiveFingerprint Code = "archive_fingerprint"
	// CodeArchiveBroken says a record of an archive does not hold (args: what, the record or
	// file, and the chain's label).
	CodeArchiveBroken Code = "archive_broken"
	// CodeKeyNotDeclared says the journal declares no key of the fingerprint given to verify
	// (arg: the fingerprint): the journal was rewritten without its key chain, or the
	// fingerprint is another register's.
	CodeKeyNotDeclared Code = "key_not_declared"
	// CodeKeyReplacedSince says a key declared after the trusted one replaced a lost key, so the
	// trusted key vouches for none of what follows (args: the fingerprint given, the replacing
	// key's number).
	CodeKeyReplacedSince Code = "key_replaced_since"
	// CodeInvalidFingerprint refuses a fingerprint not written as Z reports print one (arg: it).
	CodeInvalidFingerprint Code = "invalid_fingerprint"
	// CodeArchivePeriod refuses to archive anything but a month or a year (arg: what was given).
	CodeArchivePeriod Code = "archive_period"
	// CodePeriodNotClosed refuses to archive a period that has no closing yet (arg: the period).
	CodePeriodNotClosed Code = "period_not_closed"
)

// The refusals of the register's screens for the fiscal archive.
const (
	// CodeArchiveExists refuses to export an archive over a file of the same name (arg: the
	// path): the period's archive was exported already, and an archive is never replaced.
	CodeArchiveExists Code = "archive_exists"
)

// The refusals of the central's PostgreSQL storage.
const (
	// CodePostgresUnreachable says the central could not connect to its PostgreSQL database
	// (args: the database, the server's address or socket): the server is down, the address is
	// wrong, or the server refuses the user. The cause, which follows, says which.
	CodePostgresUnreachable Code = "postgres_unreachable"
	// CodePostgresAddress refuses a PostgreSQL address that cannot be read. It repeats nothing of
	// the address, which may hold a password.
	CodePostgresAddress Code = "postgres_address"
)

// The refusals of the PostgreSQL central's options.
const (
	// CodePostgresKeyPath refuses to open a PostgreSQL central without its key file's path: the
	// key never lives in the database, and every process sharing the database must use the
	// same file, so there is no place beside the database to default to.
	CodePostgresKeyPath Code = "postgres_key_path"
	// CodeDuplicateEventID refuses a pushed event whose ID the PostgreSQL central already holds
	// under another sequence number or register (args: the sequence number, the ID): event IDs
	// derive from their content, register included, so two events never share one unless a
	// register's outbox was copied to another register.
	CodeDuplicateEventID Code = "duplicate_event_id"
)

// The refusals of moving an embedded central to PostgreSQL (comptoir-central migrate).
const (
	// CodeMigrateTargetNotEmpty refuses to copy a central into a PostgreSQL database that already
	// holds a register, a member or a feed entry (args: how many of each): the copy keeps the
	// feed's numbers, which would collide, and merging two centrals is not a copy.
	CodeMigrateTargetNotEmpty Code = "migrate_target_not_empty"
	// CodeMigrateMismatch says the copy, read back in its own transaction, does not hold what the
	// embedded central holds (arg: what differs); the transaction is rolled back, nothing written.
	CodeMigrateMismatch Code = "migrate_mismatch"
)

// The refusals of the central's command line about PostgreSQL addresses and migrate's inputs.
const (
	// CodePostgresKeywordForm refuses a PostgreSQL address written as keyword=value pairs (arg:
	// the flag, --db or --to). The command takes only the postgres:// form, which it can tell from
	// a file name; the refusal repeats nothing of the value, which may hold a password.
	CodePostgresKeywordForm Code = "postgres_keyword_form"
	// CodePostgresKeyNotCopied refuses to start a PostgreSQL central whose key file is missing
	// while its database has a key (arg: the path): the usual cause is a new process whose
	// machine did not get the key file every process of the database uses.
	CodePostgresKeyNotCopied Code = "postgres_key_not_copied"
	// CodeMigrateAddress refuses an address given to migrate's --to that cannot be read. It
	// repeats nothing of the address, which may hold a password.
	CodeMigrateAddress Code = "migrate_address"
	// CodeMigrateUnreachable says migrate could not connect to the PostgreSQL database given to
	// --to (args: the database, the server); the cause follows.
	CodeMigrateUnreachable Code = "migrate_unreachable"
	// CodeMigrateSourceMissing refuses a --from that names no file (arg: the path): migrate copies
	// an existing embedded central and never creates one.
	CodeMigrateSourceMissing Code = "migrate_source_missing"
	// CodeMigrateKeyMissing refuses a --key that names no file (arg: the path): the key migrate
	// needs is the embedded central's own key file.
	CodeMigrateKeyMissing Code = "migrate_key_missing"
	// CodeMigrateSourceNotFile refuses a --from that is a PostgreSQL address: --from is the
	// embedded central's file. The refusal repeats nothing of the value.
	CodeMigrateSourceNotFile Code = "migrate_source_not_file"
	// CodeMigrateTargetForeign refuses to copy a central into a PostgreSQL database that holds
	// tables that are not Comptoir's (arg: their names), before anything is written to it: it is
	// another application's database, or the wrong one.
	CodeMigrateTargetForeign Code = "migrate_target_foreign"
	// CodeMigrateTargetOtherKey refuses to copy a central into an empty Comptoir database that was
	// opened once with another key file, whose check it keeps: it must be dropped and created
	// again.
	CodeMigrateTargetOtherKey Code = "migrate_target_other_key"
	// CodeMigrateDuplicateEventID refuses to copy an embedded central that holds one event ID
	// under two events (args: the ID, the first register and sequence number, the second's),
	// which PostgreSQL keeps once: a register was cloned from another one's disk.
	CodeMigrateDuplicateEventID Code = "migrate_duplicate_event_id"
)

// Sentinels for errors.Is. A refusal built with E carries values; these match it by code alone.
var (
	ErrInvalidAmount          = E(CodeInvalidAmount)
	ErrAmountTooLarge         = E(CodeAmountTooLarge)
	ErrInvalidPrice           = E(CodeInvalidPrice)
	ErrGTINLength             = E(CodeGTINLength)
	ErrGTINChars              = E(CodeGTINChars)
	ErrGTINCheckDigit         = E(CodeGTINCheckDigit)
	ErrUnknownVATRate         = E(CodeUnknownVATRate)
	ErrEmptyName              = E(CodeEmptyName)
	ErrEmptyTicket            = E(CodeEmptyTicket)
	ErrTooManyLines           = E(CodeTooManyLines)
	ErrUnknownProduct         = E(CodeUnknownProduct)
	ErrZeroQuantity           = E(CodeZeroQuantity)
	ErrNegativeQuantity       = E(CodeNegativeQuantity)
	ErrQuantityTooLarge       = E(CodeQuantityTooLarge)
	ErrUnderpaid              = E(CodeUnderpaid)
	ErrOverpaidNonCash        = E(CodeOverpaidNonCash)
	ErrInvalidPayment         = E(CodeInvalidPayment)
	ErrUnknownPaymentMethod   = E(CodeUnknownPaymentMethod)
	ErrRefundPaymentMismatch  = E(CodeRefundPaymentMismatch)
	ErrRefundPositiveQuantity = E(CodeRefundPositiveQuantity)
	ErrRefundOfRefund         = E(CodeRefundOfRefund)
	ErrRefundNotInOriginal    = E(CodeRefundNotInOriginal)
	ErrRefundExceeds          = E(CodeRefundExceeds)
	ErrRefundTrainingMismatch = E(CodeRefundTrainingMismatch)
	ErrTicketNotFound         = E(CodeTicketNotFound)
	ErrInvalidDate            = E(CodeInvalidDate)
	ErrInvalidPeriod          = E(CodeInvalidPeriod)
	ErrDayClosed              = E(CodeDayClosed)
	ErrAlreadyClosed          = E(CodeAlreadyClosed)
	ErrPeriodNotOver          = E(CodePeriodNotOver)
	ErrUnclosedPeriod         = E(CodeUnclosedPeriod)
	ErrInvalidRegister        = E(CodeInvalidRegister)
	ErrDatabaseInUse          = E(CodeDatabaseInUse)
	ErrDatabaseMissing        = E(CodeDatabaseMissing)
	ErrSchemaTooNew           = E(CodeSchemaTooNew)
	ErrCorruptRecord          = E(CodeCorruptRecord)
	ErrUnknownLang            = E(CodeUnknownLang)
	ErrCSVEmpty               = E(CodeCSVEmpty)
	ErrCSVLine                = E(CodeCSVLine)
	ErrCSVColumns             = E(CodeCSVColumns)
	ErrCSVHeader              = E(CodeCSVHeader)
	ErrCSVDuplicate           = E(CodeCSVDuplicate)
	ErrCSVSyntax              = E(CodeCSVSyntax)
	ErrCSVQuote               = E(CodeCSVQuote)
	ErrCSVBareQuote           = E(CodeCSVBareQuote)
	ErrCSVTooLarge            = E(CodeCSVTooLarge)
	ErrCannotRead             = E(CodeCannotRead)
	ErrFileNotFound           = E(CodeFileNotFound)
	ErrNotADatabase           = E(CodeNotADatabase)
	ErrUnknownRegister        = E(CodeUnknownRegister)
	ErrJournalNotEmpty        = E(CodeJournalNotEmpty)
	ErrNotACard               = E(CodeNotACard)
	ErrUnknownLawfulBasis     = E(CodeUnknownLawfulBasis)
	ErrUnknownChannel         = E(CodeUnknownChannel)
	ErrInvalidConsentAnswer   = E(CodeInvalidConsentAnswer)
	ErrConsentMissing         = E(CodeConsentMissing)
	ErrEmptyPersonName        = E(CodeEmptyPersonName)
	ErrPersonNameTooLong      = E(CodePersonNameTooLong)
	ErrInvalidEmail           = E(CodeInvalidEmail)
	ErrInvalidPhone           = E(CodeInvalidPhone)
	ErrInvalidPointsRule      = E(CodeInvalidPointsRule)
	ErrRedeemUnit             = E(CodeRedeemUnit)
	ErrInsufficientPoints     = E(CodeInsufficientPoints)
	ErrInvalidDiscount        = E(CodeInvalidDiscount)
)

type message struct{ fr, en string }

// messages holds one sentence per code and language. Templates take the error's Args in order;
// amounts and VAT rates are formatted for the language before they are substituted.
var messages = map[Code]message{
	CodeCompactFailed: {"le compactage qui efface les traces des données supprimées a échoué ; il sera repris à la prochaine ouverture",
		"the compaction that scrubs erased data failed; it will be done again at the next opening"},
	CodeCannotWrite: {"écriture impossible",
		"cannot write"},
	CodeOutputExists: {"%s existe déjà : donnez un nouveau nom de fichier, ou --force pour le remplacer",
		"%s already exists: give a new file name, or --force to replace it"},
	CodeOutputProtected: {"%s est une base ou une clé de Comptoir : aucune commande n'écrit dessus",
		"%s is a Comptoir database or key: no command writes over it"},
	CodeOutputNotFile: {"%s n'est pas un fichier ordinaire (dossier, périphérique ou tube) : --out écrit dans un fichier, --printer sur une imprimante",
		"%s is not an ordinary file (a directory, a device or a pipe): --out writes to a file, --printer to a printer"},
	CodeNotAPrinter: {"%s n'est pas une imprimante : --printer attend le port série ou USB d'une imprimante (/dev/ttyUSB0, /dev/usb/lp0) ou un fichier qui n'existe pas encore",
		"%s is not a printer: --printer needs the serial or USB port of a printer (/dev/ttyUSB0, /dev/usb/lp0) or a file that does not exist yet"},
	CodeKeyPermissions: {"la clé de chiffrement %s est lisible par d'autres utilisateurs : chmod 600 %s",
		"the encryption key %s can be read by other users: chmod 600 %s"},
	CodeInvalidCustomerID: {"identifiant de membre invalide ou déjà pris « %s »",
		"member ID invalid or already taken %q"},
	CodeUnknownVia: {"origine du consentement inconnue « %s » : register, web ou email",
		"unknown consent origin %q: register, web or email"},
	CodeBasisNotForEnrolment: {"la base « %s » ne peut pas servir à une inscription : utilisez stop-processing ou erase sur le membre",
		"the basis %q cannot be used to enrol: use stop-processing or erase on the member"},
	CodeInvalidSetting: {"valeur invalide pour %s : « %s »",
		"invalid value for %s: %q"},
	CodeUnknownSetting: {"réglage inconnu « %s » : voir comptoir settings show",
		"unknown setting %q: see comptoir settings show"},
	CodeKeyMissing: {"la clé de chiffrement %s est introuvable : sans elle les données des membres sont illisibles ; restaurez-la depuis la sauvegarde ou indiquez-la avec --key-file",
		"the encryption key %s is missing: without it members' data cannot be read; restore it from the backup or point --key-file at it"},
	CodeKeyInvalid: {"%s n'est pas une clé de chiffrement Comptoir",
		"%s is not a Comptoir encryption key"},
	CodeKeyMismatch: {"la clé de chiffrement ne correspond pas à cette base (ou la donnée a été altérée)",
		"the encryption key does not match this database (or the data was altered)"},
	CodeUnknownCard: {"carte %s inconnue : proposez l'inscription au programme",
		"unknown card %s: offer to enrol the customer"},
	CodeCardTaken: {"la carte %s appartient déjà à un membre",
		"card %s already belongs to a member"},
	CodeUnknownCustomer: {"membre %s inconnu",
		"unknown member %s"},
	CodeStopProcessing: {"ce membre est en arrêt de traitement : ni points gagnés ou dépensés, ni consentement donné ; consultation, export, rectification, retrait du consentement et effacement restent possibles",
		"this member is in stop processing: no points earned or spent, no consent given; access, export, rectification, withdrawal of consent and erasure remain possible"},
	CodeNotRestricted: {"ce membre n'est pas en arrêt de traitement : il n'y a rien à lever",
		"this member is not in stop processing: there is nothing to lift"},
	CodeCustomerErased: {"ce membre a été effacé à sa demande : ses données n'existent plus",
		"this member was erased at their request: their data no longer exists"},
	CodeBlockedEmail: {"l'adresse %s est sur la liste de blocage : elle ne peut être enregistrée sur aucun dossier",
		"the address %s is on the block list: it cannot be recorded on any member"},
	CodeEmailTaken: {"l'adresse %s est déjà celle d'un autre membre",
		"the address %s already belongs to another member"},
	CodePhoneTaken: {"le numéro %s est déjà celui d'un autre membre",
		"the number %s already belongs to another member"},
	CodeNothingToUpdate: {"rien à modifier : donnez au moins un champ",
		"nothing to change: give at least one field"},
	CodeNotACard: {"%s n'est pas une carte de fidélité (les cartes commencent par 04)",
		"%s is not a loyalty card (cards start with 04)"},
	CodeUnknownLawfulBasis: {"base légale inconnue « %s »",
		"unknown lawful basis %q"},
	CodeUnknownChannel: {"canal inconnu « %s » : email, sms, phone, post ou partners",
		"unknown channel %q: email, sms, phone, post or partners"},
	CodeInvalidConsentAnswer: {"réponse de consentement illisible « %s » : écrivez canal=oui ou canal=non",
		"unreadable consent answer %q: write channel=yes or channel=no"},
	CodeConsentMissing: {"il manque la réponse pour le canal %s : chaque canal demande un oui ou un non explicite",
		"no answer for the %s channel: every channel needs an explicit yes or no"},
	CodeEmptyPersonName: {"le prénom et le nom sont obligatoires",
		"first and last names are required"},
	CodePersonNameTooLong: {"nom trop long : %d caractères au plus",
		"name too long: %d characters at most"},
	CodeInvalidEmail: {"adresse e-mail invalide « %s »",
		"invalid email address %q"},
	CodeInvalidPhone: {"numéro de téléphone invalide « %s » : par exemple 06 12 34 56 78 ou +44 20 7946 0958",
		"invalid phone number %q: for example 06 12 34 56 78 or +44 20 7946 0958"},
	CodeInvalidPointsRule: {"règle de points invalide : des points par euro entre 0 et 1000, une tranche et sa valeur positives",
		"invalid points rule: 0 to 1000 points per euro, a positive redemption unit and value"},
	CodeRedeemUnit: {"les points se dépensent par tranches de %d (%s la tranche)",
		"points are redeemed in units of %d (%s each)"},
	CodeInsufficientPoints: {"solde insuffisant : %d points demandés, %d disponibles",
		"not enough points: %d asked, %d available"},
	CodeInvalidDiscount: {"remise invalide %s sur un ticket de %s",
		"invalid discount %s on a ticket of %s"},
	CodeUnknownLang:    {"langue inconnue « %s » : choisissez fr ou en", "unknown language %q: choose fr or en"},
	CodeInvalidAmount:  {"montant illisible « %s » : écrivez par exemple 12,50", "unreadable amount %q: write it like 12.50"},
	CodeAmountTooLarge: {"montant trop grand « %s » : un million d'euros au plus", "amount too large %q: one million euros at most"},
	CodeInvalidPrice:   {"prix invalide %s : un prix doit être positif", "invalid price %s: a price must be positive"},
	CodeGTINLength: {"code-barres « %s » invalide : il faut 8, 12, 13 ou 14 chiffres",
		"invalid barcode %q: it needs 8, 12, 13 or 14 digits"},
	CodeGTINChars: {"code-barres « %s » invalide : il ne doit contenir que des chiffres",
		"invalid barcode %q: it may contain digits only"},
	CodeGTINCheckDigit: {"code-barres « %s » invalide : la clé de contrôle devrait être %d (scan mal lu ?)",
		"invalid barcode %q: the check digit should be %d (misread scan?)"},
	CodeUnknownVATRate: {"taux de TVA inconnu « %s » : les taux français sont 20, 10, 5,5 et 2,1",
		"unknown VAT rate %q: French rates are 20, 10, 5.5 and 2.1"},
	CodeEmptyName:   {"le libellé de l'article est vide", "the product name is empty"},
	CodeEmptyTicket: {"le ticket est vide : scannez au moins un article", "the ticket is empty: scan at least one item"},
	CodeTooManyLines: {"trop de lignes sur le ticket (%d au plus) : encaissez-le et ouvrez-en un autre",
		"too many lines on the ticket (%d at most): take payment and start another"},
	CodeUnknownProduct: {"article inconnu : le code %s n'est pas au catalogue", "unknown product: code %s is not in the catalogue"},
	CodeZeroQuantity:   {"quantité nulle pour %s : supprimez la ligne plutôt", "zero quantity for %s: remove the line instead"},
	CodeNegativeQuantity: {"quantité négative pour %s : un retour se fait par un ticket de remboursement",
		"negative quantity for %s: returns go through a refund ticket"},
	CodeQuantityTooLarge: {"quantité trop grande pour %s : %d au plus par ligne", "quantity too large for %s: %d at most per line"},
	CodeUnderpaid: {"paiement insuffisant : il manque %s (total %s, reçu %s)",
		"underpaid: %s still due (total %s, received %s)"},
	CodeOverpaidNonCash: {"la carte, le chèque ou l'autre moyen de paiement dépasse le dû de %s : seules les espèces rendent la monnaie",
		"card, cheque or other payment exceeds the amount due by %s: only cash gives change"},
	CodeInvalidPayment: {"montant de paiement invalide %s", "invalid payment amount %s"},
	CodeUnknownPaymentMethod: {"moyen de paiement inconnu « %s » : espèces, carte, titre-restaurant, chèque ou autre",
		"unknown payment method %q: cash, card, meal voucher, cheque or other"},
	CodeRefundPaymentMismatch: {"le remboursement doit rendre exactement %s (rendu : %s)",
		"the refund must pay back exactly %s (paid back: %s)"},
	CodeRefundPositiveQuantity: {"un ticket de remboursement ne contient que des quantités négatives (%s)",
		"a refund ticket holds negative quantities only (%s)"},
	CodeRefundOfRefund: {"le ticket %d est lui-même un remboursement : remboursez le ticket d'origine",
		"ticket %d is itself a refund: refund the original ticket"},
	CodeRefundNotInOriginal: {"l'article %s à ce prix et ce taux de TVA ne figure pas sur le ticket %d",
		"item %s at that price and VAT rate is not on ticket %d"},
	CodeRefundExceeds: {"il ne reste que %d × %s à rembourser sur le ticket %d",
		"only %d × %s of ticket %d remain to be refunded"},
	CodeRefundTrainingMismatch: {"un ticket de formation ne se rembourse qu'en mode formation, et inversement",
		"a training ticket is refunded in training mode only, and a real one outside it"},
	CodeTicketNotFound: {"ticket %d introuvable", "ticket %d not found"},
	CodeInvalidDate:    {"date invalide « %s » : écrivez AAAA-MM-JJ", "invalid date %q: write YYYY-MM-DD"},
	CodeInvalidPeriod:  {"période invalide « %s » : AAAA-MM-JJ, AAAA-MM ou AAAA", "invalid period %q: YYYY-MM-DD, YYYY-MM or YYYY"},
	CodeDayClosed: {"la journée du %s est déjà clôturée : aucune vente ne peut plus y être enregistrée",
		"the day %s is already closed: no sale can be recorded on it"},
	CodeAlreadyClosed: {"la période %s est déjà clôturée (clôture n° %d)", "the period %s is already closed (closing no. %d)"},
	CodePeriodNotOver: {"la période %s n'est pas terminée : on ne peut pas encore la clôturer",
		"the period %s is not over yet: it cannot be closed"},
	CodeUnclosedPeriod: {"clôturez d'abord %s : la période %s en dépend", "close %s first: the period %s depends on it"},
	CodeInvalidRegister: {"nom de caisse invalide « %s » : lettres, chiffres, - et _, 32 au plus",
		"invalid register name %q: letters, digits, - and _, 32 at most"},
	CodeDatabaseInUse: {"la base %s est déjà ouverte par un autre programme Comptoir : fermez-le puis réessayez",
		"the database %s is already open in another Comptoir program: close it and try again"},
	CodeDatabaseMissing: {"la base %s n'existe pas : vérifiez --db, ou créez-la avec « comptoir catalog import » ou « comptoir demo-data »",
		"the database %s does not exist: check --db, or create it with 'comptoir catalog import' or 'comptoir demo-data'"},
	CodeSchemaTooNew: {"la base est au format %d, plus récent que ce programme (format %d) : mettez Comptoir à jour",
		"the database has format %d, newer than this program (format %d): upgrade Comptoir"},
	CodeCorruptRecord: {"enregistrement illisible dans la base (%s)", "unreadable record in the database (%s)"},
	CodeCSVEmpty:      {"le fichier ne contient aucun article", "the file holds no product"},
	CodeCSVLine:       {"ligne %d", "line %d"},
	CodeCSVColumns: {"il faut %d colonnes (gtin, libellé, prix, tva), il y en a %d : un prix « 3,20 » non entre guillemets dans un fichier à virgules ?",
		"%d columns are needed (gtin, name, price, vat), found %d: an unquoted \"3,20\" price in a comma-separated file?"},
	CodeCSVHeader: {"en-tête incomplet : il manque la colonne « %s »", "incomplete header: column %q is missing"},
	CodeCSVDuplicate: {"le code %s apparaît déjà ligne %d",
		"code %s already appears on line %d"},
	CodeCSVSyntax: {"fichier CSV mal formé (%s)", "malformed CSV file (%s)"},
	CodeCSVQuote: {"guillemet manquant ou en trop dans un champ entre guillemets",
		"missing or extra quote in a quoted field"},
	CodeCSVBareQuote: {"guillemet dans un champ qui n'est pas entre guillemets",
		"quote inside a field that is not quoted"},
	CodeCSVTooLarge:  {"fichier trop gros : %d Mio au plus", "file too large: %d MiB at most"},
	CodeCannotRead:   {"lecture impossible", "cannot read"},
	CodeFileNotFound: {"fichier introuvable : %s", "file not found: %s"},
	CodeNotADatabase: {"%s n'est pas une base Comptoir (ou elle est endommagée)",
		"%s is not a Comptoir database (or it is damaged)"},
	CodeDatabaseDamaged: {"base endommagée : il manque à %s la partie « %s » ; restaurez la dernière sauvegarde",
		"database damaged: %s is missing its part %q; restore the last backup"},
	CodeUnknownRegister: {"la base %s ne contient pas de caisse « %s » : vérifiez --register",
		"the database %s holds no register %q: check --register"},
	CodeJournalNotEmpty: {"demo-data remplit une base vide, or %s contient déjà des enregistrements (tickets : %d, clôtures : %d)",
		"demo-data fills an empty database, but %s already holds records (tickets: %d, closings: %d)"},
	CodeClosedPeriodTicket: {"%s : enregistré dans la période %s déjà clôturée",
		"%s: recorded in the period %s, which was already closed"},
	CodeDuplicateClosing: {"%s : la période %s était déjà clôturée", "%s: the period %s was already closed"},
	CodeRunningTotalsMismatch: {"les totaux courants du %s ne correspondent pas au journal (rapports X faussés)",
		"the running totals of %s do not match the journal (X reports are wrong)"},
	CodeHashMismatch:       {"%s : l'empreinte ne correspond pas au contenu (enregistrement modifié)", "%s: the hash does not match the content (record altered)"},
	CodeChainBroken:        {"%s : le chaînage avec l'enregistrement précédent est rompu", "%s: the link to the previous record is broken"},
	CodeNumberGap:          {"%s : numérotation non continue (attendu n° %d)", "%s: numbering is not continuous (expected no. %d)"},
	CodeTotalsMismatch:     {"%s : les totaux ne correspondent pas au détail", "%s: the totals do not match the details"},
	CodeGrandTotalMismatch: {"%s : le grand total perpétuel est faux (attendu %s)", "%s: the perpetual grand total is wrong (expected %s)"},
	CodeUnreadableRecord:   {"%s : enregistrement illisible", "%s: unreadable record"},
	CodeRecordMissing:      {"%s : absent du journal (supprimé)", "%s: missing from the journal (deleted)"},
	CodeScannerConfig: {"lecteur de codes-barres : valeur invalide pour %s : « %s »",
		"barcode scanner: invalid value for %s: %q"},
	CodeScannerUnplugged: {"le lecteur de codes-barres %s est débranché ou éteint",
		"the barcode scanner %s is unplugged or switched off"},
	CodeScannerPermission: {"accès refusé au lecteur de codes-barres %s : ajoutez l'utilisateur au groupe dialout",
		"access to the barcode scanner %s is denied: add the user to the dialout group"},
	CodeScannerFailed: {"le port %s du lecteur de codes-barres est inutilisable",
		"the barcode scanner port %s cannot be used"},

	// Periods, input checks, payment methods.
	CodePeriodInFuture: {"la période %s n'a pas encore commencé (nous sommes le %s) : on ne clôture pas à l'avance",
		"the period %s has not started yet (today is %s): nothing can be closed in advance"},
	CodePeriodBeforeJournal: {"la période %s se termine avant le premier enregistrement de la caisse (%s) : la clôturer la scellerait vide pour toujours",
		"the period %s ends before the register's first record (%s): closing it would seal it empty for ever"},
	CodePeriodEmptyJournal: {"la caisse n'a encore rien enregistré : seule la journée en cours (%s) peut être clôturée, pas %s",
		"the register has recorded nothing yet: only the current day (%s) can be closed, not %s"},
	CodeMealVoucherExceeds: {"les titres-restaurant dépassent le dû de %s : un titre-restaurant ne rend pas de monnaie",
		"meal vouchers exceed the amount due by %s: a meal voucher gives no change"},
	CodeGTINZero: {"code-barres « %s » invalide : il n'est fait que de zéros",
		"invalid barcode %q: it is all zeros"},
	CodeProductIsCard: {"%s est un numéro de carte de fidélité (préfixe 04, réservé à l'usage interne), pas un code d'article",
		"%s is a loyalty card number (prefix 04, kept for in-company use), not a product code"},
	CodeAmountGrouping: {"montant illisible « %s » : une espace ne sépare que les milliers, par exemple 1 234,50",
		"unreadable amount %q: a space only separates thousands, as in 1 234.50"},
	CodeCSVEncoding: {"fichier illisible : texte UTF-16 tronqué (nombre d'octets impair)",
		"unreadable file: truncated UTF-16 text (odd number of bytes)"},
	CodeSettingEmpty: {"%s ne peut pas être vide",
		"%s cannot be empty"},
	CodeSIRETLength: {"SIRET « %s » invalide : %d chiffres au lieu de 14",
		"invalid SIRET %q: %d digits instead of 14"},
	CodeSIRETChars: {"SIRET « %s » invalide : il ne doit contenir que des chiffres",
		"invalid SIRET %q: it may hold digits only"},
	CodeSIRETKey: {"SIRET « %s » invalide : sa clé de contrôle (formule de Luhn) est fausse, une faute de frappe ?",
		"invalid SIRET %q: its check key (Luhn formula) is wrong, a typo?"},
	CodeVATNumberCountry: {"numéro de TVA « %s » invalide : il doit commencer par le code d'un pays de l'Union européenne (FR, DE, BE…)",
		"invalid VAT number %q: it must start with the code of a European Union country (FR, DE, BE…)"},
	CodeVATNumberFormat: {"numéro de TVA « %s » invalide : un numéro %s s'écrit comme %s",
		"invalid VAT number %q: a %s number is written like %s"},
	CodeVATNumberKey: {"numéro de TVA « %s » invalide : pour le SIREN %s la clé est %s, une faute de frappe ?",
		"invalid VAT number %q: for the SIREN %s the key is %s, a typo?"},
	CodePointsPerEuroRange: {"points.per-euro : de 0 (aucun point) à %d points par euro, pas « %s » : au-delà, les soldes n'ont plus de rapport avec les achats",
		"points.per-euro: 0 (no points) to %d points per euro, not %q: beyond, balances lose touch with purchases"},
	CodeRedeemPointsRange: {"points.redeem-points : de 1 à %d points par tranche, pas « %s » : une tranche vide ne coûterait rien, une plus grande ne serait jamais atteinte",
		"points.redeem-points: 1 to %d points per unit, not %q: an empty unit would cost nothing, a larger one would never be reached"},
	CodeRedeemValueRange: {"points.redeem-value : une tranche vaut de %s à %s, pas « %s » : une remise nulle ne sert à rien, une plus grande est une faute de frappe",
		"points.redeem-value: a unit is worth %s to %s, not %q: a zero discount is useless, a larger one is a typo"},
	CodePointsRebateTooHigh: {"avec %d points par euro et %d points pour %s, la fidélité rendrait %d %% de chaque achat : %d %% au plus",
		"with %d points per euro and %d points for %s, loyalty would give back %d%% of every purchase: %d%% at most"},
	CodeNotACode: {"« %s » n'est pas un code lisible : de 1 à %d caractères imprimables",
		"%q is not a readable code: 1 to %d printable characters"},

	// The register's screens.
	CodeInvalidQuantity: {"quantité « %s » invalide : un nombre entier de 1 à %d",
		"invalid quantity %q: a whole number from 1 to %d"},

	// Users and roles.
	CodeInvalidUserID: {"identifiant d'utilisateur invalide « %s » : de 2 à 32 caractères sans accent, une lettre d'abord, puis lettres, chiffres, point, tiret ou _",
		"invalid user ID %q: 2 to 32 characters without accents, a letter first, then letters, digits, dot, dash or _"},
	CodeUnknownRole: {"rôle inconnu « %s » : cashier (caissier) ou manager (gérant)",
		"unknown role %q: cashier or manager"},
	CodePINDigits: {"le code PIN ne contient que des chiffres",
		"a PIN holds digits only"},
	CodePINLength: {"le code PIN compte de %d à %d chiffres",
		"a PIN has %d to %d digits"},
	CodePINTrivial: {"code PIN trop facile à deviner : ni chiffre répété (0000), ni suite (1234, 4321), ni groupe répété (1212) ; choisissez-en un autre",
		"PIN too easy to guess: no repeated digit (0000), no run (1234, 4321), no repeated group (1212); choose another"},
	CodePINMismatch: {"les deux saisies du code PIN diffèrent : rien n'a changé",
		"the two PINs typed differ: nothing changed"},
	CodePINMissing: {"aucun code PIN saisi",
		"no PIN was typed"},
	CodePINUnchanged: {"le nouveau code PIN doit différer de celui qui vous a été donné",
		"the new PIN must differ from the one you were given"},
	CodeUserExists: {"l'utilisateur « %s » existe déjà",
		"user %q already exists"},
	CodeUnknownUser: {"utilisateur « %s » inconnu : voir comptoir user list",
		"unknown user %q: see comptoir user list"},
	CodeLoginRefused: {"identifiant ou code PIN incorrect",
		"wrong ID or PIN"},
	CodeUserLocked: {"« %s » est verrouillé après %d codes PIN faux : réessayez dans %d min",
		"%q is locked after %d wrong PINs: try again in %d min"},
	CodeUserDisabled: {"le compte « %s » est désactivé : voyez un gérant",
		"the account %q is disabled: see a manager"},
	CodeFirstUserManager: {"le premier utilisateur doit être un gérant (--role manager) : sans gérant, personne ne pourrait gérer les comptes",
		"the first user must be a manager (--role manager): without one, nobody could manage the accounts"},
	CodeLastManager: {"« %s » est le dernier gérant actif : ajoutez-en un autre avant de le désactiver",
		"%q is the last active manager: add another before disabling them"},
	CodeManagerOnly: {"« %s » est réservé aux gérants, et « %s » est caissier",
		"%q is for managers only, and %q is a cashier"},
	CodeOwnPINOnly: {"un caissier ne change que son propre code PIN : « %s » n'est pas « %s »",
		"a cashier changes their own PIN only: %q is not %q"},
	CodeMustChangePIN: {"« %s » doit d'abord choisir son code PIN : comptoir user pin --id %s --as %s",
		"%q must first choose their own PIN: comptoir user pin --id %s --as %s"},
	CodeLoginRequired: {"cette base a des utilisateurs : dites qui agit avec --as ID (ou COMPTOIR_AS) ; --user n'est plus cru",
		"this database has users: say who acts with --as ID (or COMPTOIR_AS); --user is no longer trusted"},
	CodePINNoTerminal: {"pas de terminal pour demander le code PIN de « %s » : donnez-le dans COMPTOIR_PIN",
		"no terminal to ask the PIN of %q: give it in COMPTOIR_PIN"},

	// The register's screen.
	CodeRegisterOpen: {"la caisse est ouverte sur ce poste (PID %d) et tient la base : faites-le depuis l'écran gérant de la caisse, ou quittez-la (Ctrl+C deux fois) puis réessayez",
		"the register is open on this machine (PID %d) and holds the database: do it from the register's manager screen, or quit it (Ctrl+C twice) and try again"},
	CodeRegisterOpenBy: {"la caisse est ouverte sur ce poste (PID %d, « %s » connecté) et tient la base : faites-le depuis l'écran gérant de la caisse, ou quittez-la (Ctrl+C deux fois) puis réessayez",
		"the register is open on this machine (PID %d, %q logged in) and holds the database: do it from the register's manager screen, or quit it (Ctrl+C twice) and try again"},
	CodeNoTerminal: {"la caisse s'affiche dans un terminal : lancez comptoir depuis un terminal (voir « comptoir help » pour les commandes)",
		"the register is drawn in a terminal: run comptoir from a terminal (see 'comptoir help' for the commands)"},
	// The member panel and the receipt question.
	CodeNoPrinter: {"aucune imprimante de tickets n'est configurée (--printer) : enregistrez le ticket dans un fichier, ou continuez sans",
		"no receipt printer is set up (--printer): save the receipt to a file, or go on without one"},
	CodeNoFileName: {"donnez un nom de fichier pour enregistrer le ticket",
		"give a file name to save the receipt"},
	CodeNotEnoughPoints: {"%d points : il en faut %d pour %s de remise, et pas plus que le montant à payer",
		"%d points: %d are needed for %s off, and no more than the amount due"},
	CodeTrainingTicketOpen: {"ticket en cours : encaissez-le ou videz-le avant de changer de mode",
		"a ticket is open: take its payment or empty it before switching modes"},
	CodeZCloseTicketOpen: {"ticket en cours : encaissez-le ou videz-le avant la clôture Z, sans quoi il ne pourrait plus être encaissé",
		"a ticket is open: take its payment or empty it before the Z close, or it could never be paid"},
	CodeRefundNothingChosen: {"rien à rembourser : tapez une quantité sur au moins une ligne, ou F2 pour tout",
		"nothing to refund: type a quantity on at least one line, or F2 for all"},
	CodeInvalidTicketNumber: {"numéro de ticket « %s » invalide : le nombre imprimé après « ticket n° »",
		"invalid ticket number %q: the number printed after \"ticket no.\""},
	CodeActionUnavailable: {"« %s » n'est pas disponible sur cette caisse : elle a été lancée sans ce service",
		"%q is not available on this register: it was started without that service"},
	CodeExportExists: {"%s existe déjà : un export ne remplace jamais un fichier, donnez un nouveau nom",
		"%s already exists: an export never replaces a file, give a new name"},

	// The device settings.
	CodeDevicePort: {"%s : « %s » n'est pas un port : donnez son chemin complet (/dev/ttyUSB0, /dev/ttyACM0, /dev/serial/by-id/…) ou COM3 sous Windows ; une valeur vide l'enlève",
		"%s: %q is not a port: give its full path (/dev/ttyUSB0, /dev/ttyACM0, /dev/serial/by-id/…) or COM3 on Windows; an empty value clears it"},
	CodeBaudRate: {"%s : « %s » n'est pas une vitesse de port série : %s ; une valeur vide remet 9600",
		"%s: %q is not a serial speed: %s; an empty value goes back to 9600"},
	CodePaperWidth: {"%s : « %s » n'est pas une largeur de papier : %s (mm) ; une valeur vide remet 80",
		"%s: %q is not a paper width: %s (mm); an empty value goes back to 80"},
	// Items without a barcode.
	CodeScaleZero: {"code de balance %s : le prix ou le poids imprimé est nul, repesez l'article",
		"scale code %s: the printed price or weight is zero, weigh the item again"},
	CodeScalePriceCheck: {"code de balance %s mal lu : la clé du prix ne correspond pas, scannez-le à nouveau",
		"scale code %s misread: the price check digit does not match, scan it again"},
	CodeUnknownScaleItem: {"article de balance inconnu : le code %s (article %s) n'est pas au catalogue, importez-le sous %s",
		"unknown scale item: code %s (item %s) is not in the catalogue, import it as %s"},
	CodeUnknownScaleLayout: {"format de balance « %s » inconnu : %s",
		"unknown scale layout %q: %s"},
	CodeInvalidDepartments: {"rayons illisibles « %s » : écrivez « libellé taux » séparés par des points-virgules, 9 au plus (Divers 20 %%; Alimentation 5,5 %%)",
		"unreadable departments %q: write \"label rate\" separated by semicolons, 9 at most (Divers 20 %%; Alimentation 5,5 %%)"},
	CodeOpenPriceInvalid: {"prix « %s » refusé : tapez un montant positif, 12,50 par exemple, de %s au plus",
		"price %q refused: type a positive amount, such as 12.50, of %s at most"},
	// The manager screen's reports on paper and retention purge.
	CodeNoReportPrinter: {"aucune imprimante de tickets n'est configurée (--printer) : le rapport reste à l'écran et dans le journal",
		"no receipt printer is set up (--printer): the report stays on screen and in the journal"},
	CodeNothingToPurge: {"aucun membre sans activité depuis le %s : rien à effacer",
		"no member without activity since %s: nothing to erase"},

	// The central loyalty API.
	CodeSeqGap: {"événements non consécutifs : la centrale attendait le n° %d",
		"events out of sequence: the central expected no. %d"},
	CodeSeqConflict: {"l'événement n° %d a déjà été reçu avec un autre contenu : conflit enregistré, rien n'est remplacé",
		"event no. %d was already received with other content: conflict recorded, nothing is replaced"},
	CodeUnknownRegisterCentral: {"la centrale n'a jamais rien reçu de la caisse « %s »",
		"the central never received anything from register %q"},
	CodeReservedRegister: {"« %s » est réservé à l'administrateur de la centrale : choisissez un autre nom de caisse",
		"%q is reserved for the central's administrator: choose another register name"},

	// The central's storage.
	CodeBatchOrder: {"lot refusé : les numéros des événements doivent croître à partir de 1 (n° %d)",
		"batch refused: event numbers must increase from 1 on (no. %d)"},
	CodeEventWithoutID: {"lot refusé : l'événement n° %d n'a pas d'identifiant",
		"batch refused: event no. %d has no ID"},
	CodeRegisterDatabase: {"%s est la base d'une caisse, pas celle d'une centrale : donnez un autre fichier à --db",
		"%s is a register's database, not a central's: give --db another file"},

	// The central's HTTP layer.
	CodeUnauthorized: {"jeton absent ou inconnu : donnez le jeton que la centrale a délivré pour cette caisse",
		"missing or unknown token: give the token the central issued for this register"},
	CodeForbiddenRegister: {"ce jeton ne parle pas pour la caisse « %s »",
		"this token does not speak for register %q"},
	CodeBatchTooLarge: {"le lot dépasse ce que la centrale accepte (%d octets) : envoyez moins d'événements à la fois",
		"the batch is larger than the central accepts (%d bytes): send fewer events at a time"},
	CodeBatchTooManyEvents: {"le lot a plus d'événements que la centrale n'en accepte (%d) : envoyez-en moins à la fois",
		"the batch has more events than the central accepts (%d): send fewer at a time"},
	CodeMalformedBatch: {"le lot est illisible (%s) : rien n'a été enregistré",
		"the batch cannot be read (%s): nothing was stored"},

	// The register's syncer.
	CodeRegisterBehindCentral: {"la centrale a déjà reçu les événements de cette caisse jusqu'au n° %d, mais cette base s'arrête au n° %d : elle a été restaurée d'une ancienne sauvegarde, ou une autre caisse porte le même nom. Ne vendez plus sur cette base : remettez la sauvegarde la plus récente, ou donnez à cette caisse un nouveau nom (--register) et son propre jeton ; rien n'a été supprimé",
		"the central already holds this register's events up to no. %d, but this database stops at no. %d: it was restored from an old backup, or another register goes by the same name. Stop selling on this database: put back the latest backup, or give this register a new name (--register) and its own token; nothing was deleted"},
	CodeRegisterDiverged: {"la centrale a déjà reçu d'autres événements sous les numéros %d à %d de cette caisse : cette base a été restaurée d'une ancienne sauvegarde, ou une autre caisse porte le même nom. Ne vendez plus sur cette base : remettez la sauvegarde la plus récente, ou donnez à cette caisse un nouveau nom (--register) et son propre jeton ; rien n'a été supprimé ni remplacé",
		"the central already holds other events under this register's numbers %d to %d: this database was restored from an old backup, or another register goes by the same name. Stop selling on this database: put back the latest backup, or give this register a new name (--register) and its own token; nothing was deleted or replaced"},
	CodeCentralBehind: {"la centrale attend l'événement n° %d, mais cette caisse ne garde ses événements qu'à partir du n° %d, la centrale ayant acquitté les précédents : la centrale a perdu des données (remise d'une ancienne sauvegarde ?). Faites remettre la sauvegarde la plus récente de la centrale, puis relancez comptoir sync ; la caisse garde tout ce qui reste à envoyer",
		"the central expects event no. %d, but this register keeps its events only from no. %d on, the central having acknowledged the earlier ones: the central lost data (restored from an old backup?). Have the central's latest backup put back, then run comptoir sync again; the register keeps everything still to send"},
	CodeCentralUnreachable: {"la centrale %s est injoignable : les événements restent dans la caisse et partiront à la prochaine synchronisation ; vérifiez le réseau et l'adresse",
		"the central %s cannot be reached: the events stay in the register and will leave at the next sync; check the network and the address"},
	CodeCentralFailing: {"la centrale répond par une erreur (HTTP %d) : les événements restent dans la caisse ; réessayez plus tard",
		"the central answers with an error (HTTP %d): the events stay in the register; try again later"},
	CodeCentralRefused: {"la centrale a refusé l'envoi (HTTP %d)",
		"the central refused the push (HTTP %d)"},
	CodeCentralAnswer: {"la réponse de la centrale est illisible (HTTP %d) : vérifiez que l'adresse est bien celle de la centrale",
		"the central's answer cannot be read (HTTP %d): check that the address is the central's"},
	CodeNoCentral: {"adresse de la centrale inconnue : donnez --central URL ou COMPTOIR_CENTRAL",
		"the central's address is unknown: give --central URL or COMPTOIR_CENTRAL"},
	CodeNoSyncToken: {"jeton de la caisse absent : donnez --token-file FICHIER, --token ou COMPTOIR_TOKEN",
		"the register's token is missing: give --token-file FILE, --token or COMPTOIR_TOKEN"},
	CodeTokenFileOpen: {"le fichier de jeton %s est lisible par d'autres utilisateurs : chmod 600 %[1]s",
		"the token file %s can be read by other users: chmod 600 %[1]s"},
	CodeSyncPending: {"%d événements enregistrés pendant l'envoi attendent encore : relancez comptoir sync",
		"%d events recorded during the sync are still waiting: run comptoir sync again"},
	CodeCentralKeyChanged: {"la clé de la centrale a changé depuis l'installation de cette caisse : vérifiez l'adresse de la centrale, ou faites réinstaller la caisse par le gérant",
		"the central's key changed since this register was set up: check the central's address, or have the manager set the register up again"},
	CodeCentralKeyInvalid: {"la centrale a envoyé une clé illisible : vérifiez que l'adresse est bien celle de la centrale",
		"the central sent a key that cannot be read: check that the address is the central's"},
	CodeFeedStuck: {"la centrale annonce d'autres changements mais renvoie le même curseur (« %s ») : la synchronisation s'arrête plutôt que de redemander sans fin ; signalez-le à l'administrateur de la centrale",
		"the central says more changes wait but gives back the same cursor (%q): the sync stops rather than ask forever; tell the central's administrator"},
	CodeSyncCentralURL: {"« %s » n'est pas l'adresse d'une centrale : donnez-la comme https://centrale.exemple:8787 ; une valeur vide l'enlève",
		"%q is not a central's address: give it as https://central.example:8787; an empty value clears it"},
	CodeSyncTokenPath: {"« %s » n'est pas un chemin complet : donnez le chemin du fichier de jeton depuis la racine (/etc/comptoir/jeton) ; une valeur vide l'enlève",
		"%q is not a full path: give the token file's path from the root (/etc/comptoir/token); an empty value clears it"},
	CodeInvalidSetup: {"la centrale a envoyé une installation inutilisable (%s) : vérifiez que l'adresse est bien celle de la centrale",
		"the central sent a set-up that cannot be used (%s): check that the address is the central's"},
	CodeCardBlockChanged: {"la centrale attribue à cette caisse les cartes %d à %d, puis maintenant %d à %d : faites vérifier la centrale par le gérant avant d'imprimer des cartes",
		"the central gave this register the cards %d to %d, and now %d to %d: have the manager check the central before printing cards"},
	CodeCardBlockExhausted: {"toutes les cartes de fidélité de cette caisse (%d à %d) sont attribuées : demandez un nouveau bloc à la centrale",
		"every loyalty card of this register (%d to %d) is taken: ask the central for a new block"},
	CodeInvalidChange: {"la modification n° %d (%s) envoyée par la centrale est invalide : rien de la page n'est appliqué",
		"change %d (%s) sent by the central is invalid: nothing of the page is applied"},
	CodeRemoteMember: {"le membre %s a adhéré dans un autre magasin : ses données personnelles sont à la centrale, adressez la demande au siège",
		"member %s enrolled at another shop: their personal data is at the central, address the request to the head office"},
	CodeCentralKeyLost: {"la clé de la centrale %s est introuvable alors que sa base existe : sans elle les données personnelles des membres sont illisibles et les caisses refuseront une nouvelle clé ; restaurez-la depuis la sauvegarde, à côté de la base",
		"the central's key %s is missing while its database exists: without it members' personal data cannot be read and the registers will refuse a new key; restore it from the backup, beside the database"},
	CodeInvalidCursor: {"le curseur de synchronisation « %s » n'a pas été donné par cette centrale : la caisse doit reprendre depuis le début",
		"the sync cursor %q was not given by this central: the register must start again from the beginning"},
	CodeCursorAhead: {"le curseur de synchronisation est au changement n° %d, mais la centrale s'arrête au n° %d : elle a été restaurée d'une ancienne sauvegarde ; la caisse doit reprendre depuis le début",
		"the sync cursor is at change no. %d, but the central stops at no. %d: it was restored from an old backup; the register must start again from the beginning"},
	CodeMalformedBody: {"la requête est illisible (%s) : rien n'a été enregistré",
		"the request cannot be read (%s): nothing was stored"},
	CodeBodyTooLarge: {"la requête dépasse ce que la centrale accepte (%d octets)",
		"the request is larger than the central accepts (%d bytes)"},
	CodeInvalidParameter: {"paramètre %s invalide : « %s »",
		"invalid parameter %s: %q"},
	CodeAdminOnly: {"réservé au jeton de l'administrateur de la centrale",
		"the administrator's token is required"},
	CodeRegisterOnly: {"réservé au jeton d'une caisse : l'administrateur n'a pas de flux de changements",
		"a register's token is required: the administrator has no change feed"},
	CodeCAFileInvalid: {"%s ne contient aucun certificat PEM : donnez le certificat (ou l'autorité) de la centrale",
		"%s holds no PEM certificate: give the central's certificate (or its authority)"},
	CodeCentralUntrusted: {"le certificat de la centrale %s n'est pas reconnu (%s) : donnez son certificat à la caisse avec --ca-file, ou vérifiez l'adresse",
		"the central %s presented a certificate this register does not trust (%s): give the register its certificate with --ca-file, or check the address"},
	CodeChangeSkipped: {"la modification n° %d (%s) envoyée par la centrale a été ignorée, le reste de la page est appliqué",
		"change %d (%s) sent by the central was skipped, the rest of the page is applied"},
	CodeMalformedChange: {"%s invalide",
		"invalid %s"},
	CodeMalformedPage: {"la centrale a envoyé une page de modifications inutilisable (%s) : rien n'en est appliqué ; vérifiez que l'adresse est bien celle de la centrale et sa version",
		"the central sent a page of changes that cannot be used (%s): nothing of it is applied; check that the address is the central's, and its version"},
	CodeAnswerTooLarge: {"la réponse de la centrale dépasse ce que la caisse lit (%d octets) : rien n'en est appliqué ; faites vérifier la centrale (taille de ses pages, tarifs trop grands)",
		"the central's answer is larger than the register reads (%d bytes): nothing of it is applied; have the central checked (its page size, price lists too large)"},
	CodeSigningKeyMissing: {"la clé de signature %s est introuvable alors que le journal en déclare une : restaurez-la depuis la sauvegarde, ou déclarez-la perdue avec « comptoir key replace »",
		"the signing key %s is missing while the journal declares one: restore it from the backup, or declare it lost with \"comptoir key replace\""},
	CodeSigningKeyInvalid: {"%s illisible : ce n'est pas une clé de signature Comptoir",
		"%s cannot be read: it is not a Comptoir signing key"},
	CodeSigningKeyMismatch: {"la clé de signature %s n'est pas celle que le journal déclare : fichier d'une autre caisse ou d'une ancienne sauvegarde",
		"the signing key %s is not the one the journal declares: a file from another register or an old backup"},
	CodeSigningKeyPresent: {"la clé de signature %s est présente et valide : elle n'est pas perdue, renouvelez-la avec « comptoir key rotate »",
		"the signing key %s is present and valid: it is not lost, rotate it with \"comptoir key rotate\""},
	CodeSigningKeyPermissions: {"la clé de signature %s est lisible par d'autres utilisateurs : chmod 600 %s",
		"the signing key %s can be read by other users: chmod 600 %s"},
	CodeUnknownTechEvent: {"événement technique inconnu : « %s »",
		"unknown technical event %q"},
	CodeSignatureInvalid: {"%s (%s) : la signature ne correspond pas (enregistrement modifié ou signé sans la clé)",
		"%s (%s): the signature does not verify (record altered, or signed without the key)"},
	CodeSignatureMissing: {"%s (%s) : la signature manque",
		"%s (%s): the signature is missing"},
	CodeSignatureChainBroken: {"%s (%s) : la signature ne suit pas celle de l'enregistrement précédent (enregistrement supprimé ou déplacé)",
		"%s (%s): the signature does not follow the previous record's (a record deleted or moved)"},
	CodeArchiveInvalid: {"ce fichier n'est pas une archive Comptoir lisible : %s",
		"this file is not a readable Comptoir archive: %s"},
	CodeArchiveSignature: {"la signature de l'archive ne correspond pas : l'archive a été modifiée après son export",
		"the archive's signature does not verify: the archive was changed after its export"},
	CodeArchiveFingerprint: {"l'archive est signée par la clé %s, pas par la clé attendue %s",
		"the archive is signed by key %s, not by the expected key %s"},
	CodeArchiveBroken: {"archive : %s, %s (%s)",
		"archive: %s, %s (%s)"},
	CodeKeyNotDeclared: {"le journal ne déclare aucune clé d'empreinte %s : il a été réécrit sans sa chaîne de clés, ou cette empreinte est celle d'une autre caisse",
		"the journal declares no key with fingerprint %s: it was rewritten without its key chain, or the fingerprint is another register's"},
	CodeKeyReplacedSince: {"la clé %s ne répond pas de la suite du journal : la clé n° %d l'a remplacée comme perdue ; vérifiez avec l'empreinte d'un rapport Z imprimé depuis",
		"key %s does not vouch for the rest of the journal: key no. %d replaced it as lost; verify with the fingerprint of a Z report printed since"},
	CodeInvalidFingerprint: {"empreinte de clé invalide « %s » : cinq groupes de quatre chiffres hexadécimaux, comme 1a2b-3c4d-5e6f-7a8b-9c0d sur un rapport Z",
		"invalid key fingerprint %q: five groups of four hexadecimal digits, as 1a2b-3c4d-5e6f-7a8b-9c0d on a Z report"},
	CodeArchivePeriod: {"on archive un mois (AAAA-MM) ou une année (AAAA), pas « %s » : une journée est archivée avec son mois",
		"an archive holds a month (YYYY-MM) or a year (YYYY), not %q: a day is archived with its month"},
	CodePeriodNotClosed: {"la période %s n'est pas clôturée : clôturez-la avant de l'archiver",
		"period %s is not closed: close it before archiving it"},
	CodeArchiveExists: {"%s existe déjà : l'archive de cette période a déjà été exportée, et une archive n'est jamais remplacée ; déplacez ce fichier pour en exporter une nouvelle",
		"%s already exists: this period's archive was exported already, and an archive is never replaced; move that file away to export a new one"},
	CodePostgresUnreachable: {"impossible de se connecter à la base PostgreSQL « %s » sur %s : vérifiez l'adresse donnée à --db, que le serveur est démarré et qu'il accepte cet utilisateur",
		"cannot connect to PostgreSQL database %q on %s: check the address given to --db, that the server is running and that it accepts this user"},
	CodePostgresAddress: {"l'adresse PostgreSQL donnée à --db est illisible : écrivez-la comme postgres://utilisateur@serveur:5432/base",
		"the PostgreSQL address given to --db cannot be read: write it as postgres://user@server:5432/database"},
	CodePostgresKeyPath: {"une centrale sur PostgreSQL a besoin du chemin de son fichier de clé (--key) : la clé n'est jamais dans la base, et chaque processus qui partage la base utilise le même fichier",
		"a central on PostgreSQL needs the path of its key file (--key): the key is never in the database, and every process sharing the database uses the same file"},
	CodeDuplicateEventID: {"l'événement n° %d porte l'identifiant %s, que la centrale a déjà reçu pour un autre événement : la caisse a-t-elle été copiée depuis une autre ?",
		"event %d carries ID %s, which the central already received for another event: was this register copied from another one?"},
	CodeMigrateTargetNotEmpty: {"la base PostgreSQL n'est pas vide (%d caisses, %d membres, %d changements) : une centrale ne se copie que dans une base neuve ; créez-en une (createdb) et donnez son adresse à --to",
		"the PostgreSQL database is not empty (%d registers, %d members, %d changes): a central is copied only into a new database; create one (createdb) and give its address to --to"},
	CodeMigrateMismatch: {"la copie ne correspond pas à la centrale d'origine, rien n'a été écrit : %s",
		"the copy does not match the original central, nothing was written: %s"},
	CodePostgresKeywordForm: {"écrivez l'adresse PostgreSQL donnée à %s sous la forme postgres://utilisateur@serveur:5432/base : la forme mot-clé=valeur n'est pas acceptée, et la valeur n'est pas répétée ici, car elle peut contenir un mot de passe",
		"write the PostgreSQL address given to %s as postgres://user@server:5432/database: the keyword=value form is not accepted, and the value is not repeated here, since it may hold a password"},
	CodePostgresKeyNotCopied: {"le fichier de clé %s est introuvable alors que la base PostgreSQL a déjà une clé : copiez ici le fichier de clé qu'utilise chaque processus de cette base (ou restaurez-le depuis la sauvegarde), puis redémarrez",
		"key file %s is missing while the PostgreSQL database already has a key: copy here the key file every process of this database uses (or restore it from the backup), then start again"},
	CodeMigrateAddress: {"l'adresse PostgreSQL donnée à --to est illisible : écrivez-la comme postgres://utilisateur@serveur:5432/base",
		"the PostgreSQL address given to --to cannot be read: write it as postgres://user@server:5432/database"},
	CodeMigrateUnreachable: {"impossible de se connecter à la base PostgreSQL « %s » sur %s : vérifiez l'adresse donnée à --to, que le serveur est démarré et qu'il accepte cet utilisateur",
		"cannot connect to PostgreSQL database %q on %s: check the address given to --to, that the server is running and that it accepts this user"},
	CodeMigrateSourceMissing: {"la centrale embarquée %s donnée à --from n'existe pas : donnez le fichier de la centrale à copier (central.db par défaut, dans le dossier où elle tournait)",
		"the embedded central %s given to --from does not exist: give the file of the central to copy (central.db by default, in the folder it ran in)"},
	CodeMigrateKeyMissing: {"le fichier de clé %s donné à --key est introuvable : --key doit être le fichier de clé de la centrale embarquée (central.db.key, à côté de son fichier), que les caisses ont épinglé",
		"key file %s given to --key is missing: --key must be the embedded central's key file (central.db.key, beside its file), which the registers pinned"},
	CodeMigrateSourceNotFile: {"--from est le fichier de la centrale embarquée à copier ; la base PostgreSQL se donne à --to (la valeur n'est pas répétée ici, car elle peut contenir un mot de passe)",
		"--from is the file of the embedded central to copy; the PostgreSQL database goes to --to (the value is not repeated here, since it may hold a password)"},
	CodeMigrateTargetForeign: {"la base PostgreSQL donnée à --to contient des tables qui ne sont pas celles de Comptoir (%s) : rien n'y a été écrit ; une centrale ne se copie que dans une base neuve, créez-en une (createdb) et donnez son adresse à --to",
		"the PostgreSQL database given to --to holds tables that are not Comptoir's (%s): nothing was written to it; a central is copied only into a new database, create one (createdb) and give its address to --to"},
	CodeMigrateTargetOtherKey: {"la base PostgreSQL est vide mais a déjà été ouverte une fois avec une autre clé, qu'elle garde : supprimez-la et créez-la de nouveau (dropdb puis createdb), puis relancez la copie sans démarrer de centrale dessus avant",
		"the PostgreSQL database is empty but was opened once with another key, which it keeps: drop it and create it again (dropdb, then createdb), then run the copy again without starting a central on it first"},
	CodeMigrateDuplicateEventID: {"la centrale embarquée garde l'identifiant d'événement %s deux fois, pour la caisse %s (n° %d) et pour la caisse %s (n° %d), et PostgreSQL garde chaque identifiant une seule fois : la caisse qui porte la copie a été clonée depuis l'autre ; rien n'a été copié, gardez la centrale embarquée en service",
		"the embedded central holds event ID %s twice, for register %s (no. %d) and for register %s (no. %d), and PostgreSQL keeps each event ID once: the register that holds the copy was cloned from the other one; nothing was copied, keep the embedded central running"},
}
