package email

// SetDialAddrForTest makes s connect to addr while still presenting the
// URL's host name to go-mail (for the cleartext-AUTH check).
func SetDialAddrForTest(s *Sender, addr string) { s.dialAddr = addr }
