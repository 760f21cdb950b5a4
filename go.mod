module github.com/comptoir/comptoir

go 1.26

require (
	github.com/creack/pty v1.1.24
	github.com/tarm/serial v0.0.0-20180830185346-98f6abe2eb07
	go.etcd.io/bbolt v1.4.3
	golang.org/x/term v0.28.0
)

require golang.org/x/sys v0.29.0 // indirect
