package logs

// Field values the hot path sets for nearly every firewall line. Holding them as byte slices
// skips the map lookup that event.SetString does; they are never modified.
var (
	wordTCP     = []byte("tcp")
	wordUDP     = []byte("udp")
	wordICMP    = []byte("icmp")
	wordIn      = []byte("in")
	wordOut     = []byte("out")
	wordForward = []byte("forward")
	wordDrop    = []byte("drop")
	wordDeny    = []byte("deny")
	wordReject  = []byte("reject")
	wordBlock   = []byte("block")
	wordAccept  = []byte("accept")
	wordAllow   = []byte("allow")
	wordPass    = []byte("pass")
	wordDenied  = []byte("denied")
	wordPermit  = []byte("permitted")
	wordIP      = []byte("ip")
	wordICMPv6  = []byte("icmpv6")
	wordYes     = []byte("yes")
)
