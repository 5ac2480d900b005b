// SPDX-License-Identifier: GPL-2.0-or-later
//
// tests/drivers/vcsim/main.go - vmmc-vcsim: govmomi's ESX simulator (Debian's
// golang-github-vmware-govmomi-dev, built offline by mk/vcsim.sh)
// behind a small fixing proxy, so that libvirt's esx driver can talk to it.
//
// The simulator serves plain HTTP on a loopback port of its own; this
// program serves HTTPS (a self-signed certificate: connect with
// no_verify=1) on -l and passes every request through, rewriting the SOAP
// answers where stock vcsim 0.24 and libvirt 9.0's esx driver disagree:
//
//   - a datastore's host mount: vcsim's <mountInfo> has no <path>; libvirt
//     reads it unchecked (virsh pool-list crashes): a path is added.
//   - array items: vcsim writes <val xsi:type="ArrayOfManagedObjectReference">
//     <ManagedObjectReference type="Datastore">...; libvirt deserializes each
//     item as an AnyType and needs its xsi:type ("AnyType is missing 'type'
//     property" on every call after login). Each child of an element typed
//     ArrayOfT that has no xsi:type gets xsi:type="T" (xsd:T for XML Schema
//     types: string, int, long, short, byte, boolean, dateTime ...).
//   - datastore searches: vcsim lists no file unless the search spec has a
//     matchPattern, which libvirt sends none of (empty vol-list): "*" is
//     added to each search request that has none; in the answers a folder
//     "[DS]/dir" becomes "[DS] dir" (libvirt's form), and each file without
//     a <fileSize> (vcsim omits 0) gets one, a disk also a <capacityKb>
//     (libvirt reads both unchecked: vol-list and vol-info crash).
//
// Any user name and password log in (vcsim's default) unless -user is given. Flags:
//
//	-l ADDR        listen here (default 127.0.0.1:0)
//	-vms N         simulated VMs (default 2)
//	-addr-file F   write the address listened on to F once serving
//	-dump          log every answer as sent (debugging)
//	-calls F       append each SOAP call's method name to F (benchmarks)
//	-user U -password P  accept only this login (default: any user and password)
//	-cut-file F    while F exists, an answer listing two VMs or more (a
//	               list: <returnval> twice, VirtualMachine objects) is cut
//	               half-way: the headers
//	               promise the whole body, half of it is sent, the
//	               connection closed (a host failing mid-list)
package main

import (
	"bytes"
	"context"
	"flag"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"os/signal"
	"regexp"
	"strconv"
	"strings"
	"syscall"

	"github.com/vmware/govmomi/simulator"
)

var (
	tagRe = regexp.MustCompile(`<(/?)([A-Za-z_][\w.:-]*)([^>]*?)(/?)>`)
	// vcsim's encoder spells the xsi prefix "XMLSchema-instance"
	xsiTypeRe = regexp.MustCompile(`\s(?:xsi|XMLSchema-instance):type="([^"]*)"`)
	// the first element inside the SOAP Body: the method called
	methodRe = regexp.MustCompile(`<(?:[\w-]+:)?Body[^>]*>\s*<(?:[\w-]+:)?([A-Za-z_]\w*)`)
	xsdTypes = map[string]bool{
		"string": true, "int": true, "long": true, "short": true, "byte": true,
		"boolean": true, "dateTime": true, "float": true, "double": true,
		"base64Binary": true, "anyURI": true,
	}
)

var (
	searchSpecEnd = regexp.MustCompile(`</(?:[\w-]+:)?searchSpec>`)
	folderPathRe  = regexp.MustCompile(`<folderPath>\[([^\]]*)\]/`)
	fileRe        = regexp.MustCompile(`(?s)<file( [^>]*)?>(.*?)</file>`)
)

// fixSearchRequest adds matchPattern "*" to a datastore search without one.
func fixSearchRequest(body []byte) []byte {
	if !bytes.Contains(body, []byte("SearchDatastore")) || bytes.Contains(body, []byte("matchPattern>")) {
		return body
	}
	return searchSpecEnd.ReplaceAllFunc(body, func(end []byte) []byte {
		return append([]byte("<matchPattern>*</matchPattern>"), end...)
	})
}

// fixSearchAnswer: folder paths as libvirt writes them, file sizes present.
func fixSearchAnswer(body []byte) []byte {
	if !bytes.Contains(body, []byte("<folderPath>")) {
		return body
	}
	body = folderPathRe.ReplaceAll(body, []byte("<folderPath>[$1] "))
	return fileRe.ReplaceAllFunc(body, func(f []byte) []byte {
		m := fileRe.FindSubmatch(f)
		attrs, inner := m[1], m[2]
		add := ""
		if !bytes.Contains(inner, []byte("<fileSize>")) {
			add += "<fileSize>0</fileSize>"
		}
		if bytes.Contains(attrs, []byte(`type="VmDiskFileInfo"`)) && !bytes.Contains(inner, []byte("<capacityKb>")) {
			add += "<capacityKb>0</capacityKb>"
		}
		if add == "" {
			return f
		}
		return []byte("<file" + string(attrs) + ">" + string(inner) + add + "</file>")
	})
}

// fixMounts gives each <mountInfo> without a <path> one (see above).
func fixMounts(body []byte) []byte {
	const open = "<mountInfo>"
	if !bytes.Contains(body, []byte(open)) {
		return body
	}
	parts := bytes.Split(body, []byte(open))
	for i := 1; i < len(parts); i++ {
		if !bytes.HasPrefix(parts[i], []byte("<path>")) {
			parts[i] = append([]byte("<path>/vmfs/volumes/vcsim</path>"), parts[i]...)
		}
	}
	return bytes.Join(parts, []byte(open))
}

// fixArrays adds xsi:type to the items of ArrayOf* elements (see above).
func fixArrays(body []byte) []byte {
	var out bytes.Buffer
	var stack []string // per open element: the item type its children get ("" none)
	last := 0
	for _, m := range tagRe.FindAllSubmatchIndex(body, -1) {
		out.Write(body[last:m[0]])
		last = m[1]
		tag := body[m[0]:m[1]]
		if tag[1] == '?' || tag[1] == '!' {
			out.Write(tag)
			continue
		}
		closing := m[3] > m[2]
		selfClosing := m[9] > m[8]
		if closing {
			if len(stack) > 0 {
				stack = stack[:len(stack)-1]
			}
			out.Write(tag)
			continue
		}
		attrs := body[m[6]:m[7]]
		own := ""
		if t := xsiTypeRe.FindSubmatch(attrs); t != nil {
			own = string(t[1])
		} else if n := len(stack); n > 0 && stack[n-1] != "" {
			item := stack[n-1]
			if xsdTypes[item] {
				item = "xsd:" + item
			}
			tag = append(append(append([]byte{}, body[m[0]:m[7]]...),
				[]byte(` xsi:type="`+item+`"`)...), body[m[7]:m[1]]...)
		}
		out.Write(tag)
		if selfClosing {
			continue
		}
		item := ""
		if strings.HasPrefix(own, "ArrayOf") {
			item = strings.TrimPrefix(own, "ArrayOf")
			if item != "" && xsdTypes[strings.ToLower(item[:1])+item[1:]] {
				item = strings.ToLower(item[:1]) + item[1:]
			}
		}
		stack = append(stack, item)
	}
	out.Write(body[last:])
	return out.Bytes()
}

// cutter passes requests to next; while file exists, an answer listing two
// VMs or more goes out half-way and the connection is closed.
func cutter(next http.Handler, file string) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if _, err := os.Stat(file); err != nil {
			next.ServeHTTP(w, r)
			return
		}
		rec := httptest.NewRecorder()
		next.ServeHTTP(rec, r)
		body := rec.Body.Bytes()
		hj, ok := w.(http.Hijacker)
		if bytes.Count(body, []byte("<returnval>")) < 2 ||
			!bytes.Contains(body, []byte(`<obj type="VirtualMachine">`)) || !ok {
			for k, v := range rec.Header() {
				w.Header()[k] = v
			}
			w.WriteHeader(rec.Code)
			w.Write(body)
			return
		}
		conn, buf, err := hj.Hijack()
		if err != nil {
			return
		}
		defer conn.Close()
		buf.WriteString("HTTP/1.1 200 OK\r\nContent-Type: text/xml; charset=utf-8\r\nContent-Length: " +
			strconv.Itoa(len(body)) + "\r\n\r\n")
		buf.Write(body[:len(body)/2])
		buf.Flush()
		log.Printf("cut an answer of %d bytes at %d", len(body), len(body)/2)
	})
}

func main() {
	listen := flag.String("l", "127.0.0.1:0", "listen address (HTTPS)")
	vms := flag.Int("vms", 2, "simulated VMs")
	addrFile := flag.String("addr-file", "", "write the address listened on here")
	dump := flag.Bool("dump", false, "log every request and rewritten answer (debugging)")
	calls := flag.String("calls", "", "append each SOAP call's method name to this file (benchmarks)")
	user := flag.String("user", "", "with -password: the only login accepted (default: any)")
	password := flag.String("password", "", "the password -user logs in with")
	cutFile := flag.String("cut-file", "", "while this file exists, cut list answers half-way")
	flag.Parse()

	model := simulator.ESX()
	model.Machine = *vms
	if err := model.Create(); err != nil {
		log.Fatal(err)
	}
	defer model.Remove()
	if *user != "" {
		model.Service.Listen = &url.URL{Host: "127.0.0.1:0", User: url.UserPassword(*user, *password)}
	}
	sim := model.Service.NewServer() // plain HTTP on a loopback port of its own
	defer sim.Close()

	target := *sim.URL
	target.Path = ""
	target.User = nil
	proxy := httputil.NewSingleHostReverseProxy(&target)
	var callLog *os.File
	if *calls != "" {
		f, err := os.OpenFile(*calls, os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o644)
		if err != nil {
			log.Fatal(err)
		}
		callLog = f
		defer f.Close()
	}
	director := proxy.Director
	proxy.Director = func(r *http.Request) {
		if r.Body != nil {
			body, _ := io.ReadAll(r.Body)
			r.Body.Close()
			body = fixSearchRequest(body)
			r.Body = io.NopCloser(bytes.NewReader(body))
			r.ContentLength = int64(len(body))
			r.Header.Set("Content-Length", strconv.Itoa(len(body)))
			if m := methodRe.FindSubmatch(body); callLog != nil && m != nil {
				callLog.Write(append(m[1], '\n'))
			}
		}
		director(r)
	}
	proxy.ModifyResponse = func(r *http.Response) error {
		if !strings.Contains(r.Header.Get("Content-Type"), "xml") {
			return nil
		}
		body, err := io.ReadAll(r.Body)
		r.Body.Close()
		if err != nil {
			return err
		}
		body = fixSearchAnswer(fixMounts(fixArrays(body)))
		if *dump {
			log.Printf("answer:\n%s", body)
		}
		r.Body = io.NopCloser(bytes.NewReader(body))
		r.ContentLength = int64(len(body))
		r.Header.Set("Content-Length", strconv.Itoa(len(body)))
		return nil
	}

	l, err := net.Listen("tcp", *listen)
	if err != nil {
		log.Fatal(err)
	}
	var front *httptest.Server
	if *cutFile != "" {
		front = httptest.NewUnstartedServer(cutter(proxy, *cutFile))
	} else {
		front = httptest.NewUnstartedServer(proxy)
	}
	front.Listener.Close()
	front.Listener = l
	front.StartTLS()
	defer front.Close()
	if *addrFile != "" {
		if err := os.WriteFile(*addrFile+".tmp", []byte(l.Addr().String()+"\n"), 0o644); err != nil {
			log.Fatal(err)
		}
		if err := os.Rename(*addrFile+".tmp", *addrFile); err != nil {
			log.Fatal(err)
		}
	}
	log.Printf("vmmc-vcsim: https://%s/sdk (simulator at %s)", l.Addr(), sim.URL.Host)

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	<-ctx.Done()
}
