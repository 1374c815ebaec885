package logs

import "github.com/keikai-project/keikai/internal/event"

// Field values the hot path sets for nearly every firewall line. Holding them as byte slices
// skips the map lookup that event.SetString does; they are never modified. event.Word places
// them where the match memo keys them by place rather than by bytes.
var (
	wordTCP     = event.Word("tcp")
	wordUDP     = event.Word("udp")
	wordICMP    = event.Word("icmp")
	wordIn      = event.Word("in")
	wordOut     = event.Word("out")
	wordForward = event.Word("forward")
	wordDrop    = event.Word("drop")
	wordDeny    = event.Word("deny")
	wordReject  = event.Word("reject")
	wordBlock   = event.Word("block")
	wordAccept  = event.Word("accept")
	wordAllow   = event.Word("allow")
	wordPass    = event.Word("pass")
	wordDenied  = event.Word("denied")
	wordPermit  = event.Word("permitted")
	wordIP      = event.Word("ip")
	wordICMPv6  = event.Word("icmpv6")
	wordYes     = event.Word("yes")
)
