package profile

import (
	"bytes"
	"encoding/pem"
	"fmt"

	"github.com/smallstep/pkcs7"
)

// oidSignedData is 1.2.840.113549.1.7.2 as DER (06 09 ...), found near the start of a
// ContentInfo wrapping SignedData.
var oidSignedData = []byte{0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x07, 0x02}

func isPKCS7(b []byte) bool {
	return len(b) > 2 && b[0] == 0x30 && bytes.Contains(firstN(b, 32), oidSignedData)
}

// unwrapSigned returns the content of a PKCS#7 SignedData profile (DER or BER, as Apple's
// tools write it with indefinite lengths; or PEM). The signature is not verified: Fleet does not
// verify it either, and devices do it against their own trust store.
func unwrapSigned(p *Profile, b []byte) ([]byte, bool) {
	if bytes.HasPrefix(b, []byte("-----BEGIN")) {
		block, _ := pem.Decode(b)
		if block == nil {
			p.errorf(Pos{1, 1}, "signed-syntax", "the PEM block cannot be decoded")
			return nil, false
		}
		p.warnf(Pos{1, 1}, "signed-pem", "a PEM-encoded signed profile (%s): Fleet reads signed profiles as DER (convert with openssl cms -outform DER)", block.Type)
		b = block.Bytes
	}
	if len(b) > maxSignedBytes {
		p.errorf(Pos{1, 1}, "signed-too-large", "the signed profile is %d bytes, over the %d-byte limit for signed profiles", len(b), maxSignedBytes)
		return nil, false
	}
	// The library's BER reader recurses once per nesting level with no bound: check the depth
	// first so a hostile file cannot grow the stack without limit.
	if err := berDepth(b, MaxDepth); err != nil {
		p.errorf(Pos{1, 1}, "signed-syntax", "not a readable PKCS#7 signed profile: %v", err)
		return nil, false
	}
	p7, err := safePKCS7(b)
	if err != nil {
		p.errorf(Pos{1, 1}, "signed-syntax", "not a readable PKCS#7 signed profile: %v", err)
		return nil, false
	}
	if len(p7.Content) == 0 {
		p.errorf(Pos{1, 1}, "signed-no-content", "the signed profile carries no content (a detached signature?)")
		return nil, false
	}
	return p7.Content, true
}

func safePKCS7(b []byte) (p7 *pkcs7.PKCS7, err error) {
	defer func() {
		if r := recover(); r != nil {
			p7, err = nil, fmt.Errorf("PKCS#7 parser failed: %v", r)
		}
	}()
	return pkcs7.Parse(b)
}

// Limits for the PKCS#7 path. The library's BER reader looks for each end-of-contents marker
// with a scan to the end of the input, so its cost grows with values x size: both are bounded.
// The corpus's signed profiles are 6 KB with about 300 values.
const (
	maxSignedBytes = 1 << 20
	maxBERElements = 5000
)

// berDepth walks BER/DER tag-length headers iteratively and fails when constructed values nest
// deeper than max, when there are too many of them, or when a header runs past the end.
func berDepth(b []byte, max int) error {
	elements := 0
	type frame struct{ end int } // end < 0: indefinite length, ends at 00 00
	var stack []frame
	off := 0
	for off < len(b) {
		for len(stack) > 0 { // close finished frames
			top := stack[len(stack)-1]
			switch {
			case top.end >= 0 && off >= top.end:
				stack = stack[:len(stack)-1]
				continue
			case top.end < 0 && off+1 < len(b) && b[off] == 0 && b[off+1] == 0:
				off += 2
				stack = stack[:len(stack)-1]
				continue
			}
			break
		}
		if off >= len(b) {
			break
		}
		tag := b[off]
		off++
		if elements++; elements > maxBERElements {
			return fmt.Errorf("more than %d ASN.1 values", maxBERElements)
		}
		if tag&0x1f == 0x1f { // high tag number: base-128 continuation bytes
			for off < len(b) && b[off]&0x80 != 0 {
				off++
			}
			off++
		}
		if off >= len(b) {
			return fmt.Errorf("truncated header at byte %d", off)
		}
		l := int(b[off])
		off++
		length := -1
		switch {
		case l < 0x80:
			length = l
		case l == 0x80:
			if tag&0x20 == 0 {
				return fmt.Errorf("indefinite length on a primitive value at byte %d", off)
			}
		default:
			n := l & 0x7f
			if n > 4 || off+n > len(b) {
				return fmt.Errorf("bad length at byte %d", off)
			}
			length = 0
			for i := 0; i < n; i++ {
				length = length<<8 | int(b[off])
				off++
			}
		}
		if length > len(b)-off {
			return fmt.Errorf("length runs past the end at byte %d", off)
		}
		if tag&0x20 == 0 { // primitive: skip its content
			off += length
			continue
		}
		end := -1
		if length >= 0 {
			end = off + length
		}
		stack = append(stack, frame{end})
		if len(stack) > max {
			return fmt.Errorf("values nested deeper than %d", max)
		}
	}
	return nil
}
