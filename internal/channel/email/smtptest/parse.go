package smtptest

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net/mail"
	"strings"

	"golang.org/x/text/encoding/htmlindex"
)

// Parsed is a message decoded the way a mail client would show it.
type Parsed struct {
	// Headers are the top-level header fields as sent (continuation lines
	// unfolded, RFC 2047 words still encoded); Header decodes one.
	Headers mail.Header
	// Subject is the decoded Subject.
	Subject string
	// Text and HTML are the first text/plain and text/html parts that are
	// not attachments, transfer-decoded, converted to UTF-8, with LF line
	// ends.
	Text string
	HTML string
	// ContentType is the top-level media type, e.g. "multipart/alternative".
	ContentType string
	// Err is the first problem met while parsing; the fields above hold
	// what could be read.
	Err error
}

// Header returns the first value of the named header field, RFC 2047-decoded
// ("" when absent).
func (p Parsed) Header(name string) string {
	v := p.Headers.Get(name)
	if v == "" {
		return ""
	}
	if dec, err := wordDecoder.DecodeHeader(v); err == nil {
		return dec
	}
	return v
}

// Address parses an address header (From, To, Reply-To) with decoded names.
func (p Parsed) Address(name string) (*mail.Address, error) {
	v := p.Headers.Get(name)
	if v == "" {
		return nil, fmt.Errorf("no %s header", name)
	}
	list, err := (&mail.AddressParser{WordDecoder: wordDecoder}).ParseList(v)
	if err != nil {
		return nil, err
	}
	if len(list) == 0 {
		return nil, fmt.Errorf("no %s address", name)
	}
	return list[0], nil
}

var wordDecoder = &mime.WordDecoder{CharsetReader: charsetReader}

func charsetReader(charset string, r io.Reader) (io.Reader, error) {
	switch strings.ToLower(charset) {
	case "", "utf-8", "utf8", "us-ascii":
		return r, nil
	}
	enc, err := htmlindex.Get(charset)
	if err != nil {
		return nil, fmt.Errorf("charset %q: %w", charset, err)
	}
	return enc.NewDecoder().Reader(r), nil
}

// Parse decodes a raw message. It never fails: problems go to Parsed.Err.
func Parse(data []byte) Parsed {
	var p Parsed
	msg, err := mail.ReadMessage(bytes.NewReader(data))
	if err != nil {
		p.Err = fmt.Errorf("smtptest: read message: %w", err)
		return p
	}
	p.Headers = msg.Header
	if subj := msg.Header.Get("Subject"); subj != "" {
		if p.Subject, err = wordDecoder.DecodeHeader(subj); err != nil {
			p.Subject = subj
			p.setErr(fmt.Errorf("smtptest: decode subject: %w", err))
		}
	}
	p.walk(msg.Header.Get("Content-Type"), msg.Header.Get("Content-Transfer-Encoding"),
		msg.Header.Get("Content-Disposition"), msg.Body, 0, true)
	return p
}

func (p *Parsed) setErr(err error) {
	if p.Err == nil {
		p.Err = err
	}
}

func (p *Parsed) walk(contentType, cte, disposition string, body io.Reader, depth int, top bool) {
	if contentType == "" {
		contentType = "text/plain; charset=us-ascii"
	}
	mediaType, params, err := mime.ParseMediaType(contentType)
	if err != nil {
		p.setErr(fmt.Errorf("smtptest: content type %q: %w", contentType, err))
		return
	}
	if top {
		p.ContentType = mediaType
	}
	if strings.HasPrefix(mediaType, "multipart/") {
		if depth > 10 {
			p.setErr(fmt.Errorf("smtptest: multipart nested too deep"))
			return
		}
		mr := multipart.NewReader(body, params["boundary"])
		for {
			part, err := mr.NextRawPart()
			if err == io.EOF {
				return
			}
			if err != nil {
				p.setErr(fmt.Errorf("smtptest: multipart: %w", err))
				return
			}
			p.walk(part.Header.Get("Content-Type"), part.Header.Get("Content-Transfer-Encoding"),
				part.Header.Get("Content-Disposition"), part, depth+1, false)
		}
	}
	if mediaType != "text/plain" && mediaType != "text/html" {
		return
	}
	if d, _, _ := mime.ParseMediaType(disposition); d == "attachment" {
		return
	}
	var r io.Reader = body
	switch strings.ToLower(strings.TrimSpace(cte)) {
	case "base64":
		r = base64.NewDecoder(base64.StdEncoding, body)
	case "quoted-printable":
		r = quotedprintable.NewReader(body)
	case "", "7bit", "8bit", "binary":
	default:
		p.setErr(fmt.Errorf("smtptest: unknown transfer encoding %q", cte))
		return
	}
	r, err = charsetReader(params["charset"], r)
	if err != nil {
		p.setErr(fmt.Errorf("smtptest: %w", err))
		return
	}
	b, err := io.ReadAll(r)
	if err != nil {
		p.setErr(fmt.Errorf("smtptest: decode %s part: %w", mediaType, err))
	}
	text := strings.ReplaceAll(string(b), "\r\n", "\n")
	switch {
	case mediaType == "text/plain" && p.Text == "":
		p.Text = text
	case mediaType == "text/html" && p.HTML == "":
		p.HTML = text
	}
}
