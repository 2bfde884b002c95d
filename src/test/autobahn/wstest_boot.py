# Starts the Autobahn|Testsuite fuzzing server (`wstest -m fuzzingserver`) under Jython, from the
# two jars Maven copies out of Maven Central into target/autobahn/lib:
#
#   java -Xmx512m -cp jython-standalone.jar:autobahntestsuite-maven-plugin.jar org.python.util.jython \
#        wstest_boot.py --port 9002 [--bind 127.0.0.1] [--cases 1.*,2.*] [--outdir clients] [--log FILE]
#
# autobahntestsuite-maven-plugin-0.1.5.jar bundles wstest 0.6.4 (Autobahn 0.5.6, Twisted 13) as
# Python sources; the plugin itself only drives the fuzzing *client*. This script runs the fuzzing
# *server* from the same sources (the pom starts it with exec-maven-plugin; AutobahnClientIT then
# connects the Loomsocket client to it). Instead of a spec file it takes the few settings we need
# as arguments, writes the spec it used next to the reports for reference, and patches three
# things (each explained below):
#   1. a Jython/Twisted bug that silently loses case results,
#   2. the listening interface (wstest always binds every interface; we bind loopback only),
#   3. /updateReports, so that it waits for the cases still finishing.
#
# This file is Python 2.7 (Jython 2.7). It is test tooling of Loomsocket, not part of wstest.
import json
import os
import sys
from optparse import OptionParser

parser = OptionParser(usage="wstest_boot.py --port N [options]")
parser.add_option("--port", type="int", help="WebSocket port of the fuzzing server (required)")
parser.add_option("--bind", default="127.0.0.1",
                  help="interface to listen on, for both the WebSocket and the web port [%default]")
parser.add_option("--webport", type="int", default=0,
                  help="port of wstest's small web UI; 0 = any free port [%default]")
parser.add_option("--cases", default="*", help="comma-separated case patterns, e.g. 1.*,2.* [%default]")
parser.add_option("--exclude-cases", dest="exclude", default="", help="comma-separated case patterns to skip")
parser.add_option("--outdir", default="clients", help="report directory [%default]")
parser.add_option("--log", default=None,
                  help="write wstest's output (one line per case) to this file instead of stdout")
parser.add_option("--drop-watchdog", dest="watchdog", type="float", default=1.0,
                  help="seconds after dropConnection() before forcing connectionLost; 0 = off [%default]")
parser.add_option("--update-wait", dest="update_wait", type="float", default=15.0,
                  help="at most this many seconds /updateReports waits for running cases [%default]")
opts, rest = parser.parse_args()
if opts.port is None or rest:
    parser.error("--port is required; no positional arguments")


def _patterns(s):
    return [p.strip() for p in s.split(",") if p.strip()]


spec = {
    "url": "ws://%s:%d" % (opts.bind, opts.port),
    # the same option the autobahntestsuite-maven-plugin uses for its fuzzing client
    "options": {"failByDrop": False},
    "outdir": opts.outdir,
    "webport": opts.webport,
    "cases": _patterns(opts.cases),
    "exclude-cases": _patterns(opts.exclude),
    "exclude-agent-cases": {},
}

if not os.path.isdir(opts.outdir):
    os.makedirs(opts.outdir)
spec_file = os.path.join(os.path.dirname(os.path.abspath(opts.outdir)), "fuzzingserver-spec.json")
f = open(spec_file, "w")
json.dump(spec, f, indent=2, sort_keys=True)
f.close()

print "[wstest_boot] fuzzing server on %s, cases %s, reports in %s%s" % (
    spec["url"], ",".join(spec["cases"]), os.path.abspath(opts.outdir),
    "" if opts.log is None else ", log in " + os.path.abspath(opts.log))
sys.stdout.flush()
if opts.log is not None:
    _log = open(opts.log, "w", 1)  # line-buffered: the log is readable while cases run
    sys.stdout = _log
    sys.stderr = _log

# Must come first: installs the reactor the way wstest itself does.
from autobahntestsuite import choosereactor
from twisted.internet import reactor
import autobahn.websocket as ws

# --- 1. connectionLost that never comes ------------------------------------------------------------
# Under Jython's select() emulation, a transport.loseConnection() issued while or after the peer
# closed its side may never reach connectionLost(): typically the ~4-byte close reply is stuck in
# the write buffer because the peer already closed, and select() never reports the socket writable
# again. The case result is recorded in connectionLost(), so such a case would silently be missing
# from index.json. After dropConnection(), give the transport a few watchdog periods to finish
# flushing, then abort it, which does call connectionLost().
_origDrop = ws.WebSocketProtocol.dropConnection


def _pending(t):
    try:
        return (len(t.dataBuffer) - t.offset) + t._tempDataLen
    except AttributeError:
        return 0


def _dropConnection(self, abort=False):
    _origDrop(self, abort)
    t = getattr(self, "transport", None)
    if t is None or abort or opts.watchdog <= 0:
        return
    state = {"n": 0}

    def check():
        if getattr(t, "disconnected", True):
            return
        state["n"] += 1
        if _pending(t) > 0 and state["n"] < 3:
            reactor.callLater(opts.watchdog, check)
            return
        print "[wstest_boot] forcing connectionLost for %s (pending=%d bytes) after loseConnection stalled" % (
            getattr(self, "peerstr", "?"), _pending(t))
        t.abortConnection()

    reactor.callLater(opts.watchdog, check)


ws.WebSocketProtocol.dropConnection = _dropConnection

# --- 2. listen on one interface only -----------------------------------------------------------------
# wstest passes no interface to listenWS()/listenTCP(), i.e. it listens on all of them.
_origListenWS = ws.listenWS


def _listenWS(factory, contextFactory=None, backlog=50, interface=""):
    return _origListenWS(factory, contextFactory, backlog, opts.bind)


ws.listenWS = _listenWS
_origListenTCP = reactor.listenTCP


def _listenTCP(port, factory, backlog=50, interface=""):
    return _origListenTCP(port, factory, backlog, interface or opts.bind)


reactor.listenTCP = _listenTCP

from autobahntestsuite import wstest, fuzzing

fuzzing.listenWS = ws.listenWS  # fuzzing.py did "from autobahn.websocket import listenWS"

# --- 3. /updateReports waits for the cases still running ------------------------------------------------
# The reports are written from the results recorded so far. A client that requests /updateReports
# right after its last case closed could otherwise get reports without the cases whose
# connectionLost() is still pending (see 1.). Wait until every case connection is gone, bounded.
_LIVE = set()
_SP = fuzzing.FuzzingServerProtocol
_origOnOpen = _SP.onOpen
_origLost = _SP.connectionLost


def _onOpen(self):
    if self.runCase:
        _LIVE.add(self)
        return _origOnOpen(self)
    if self.path == "/updateReports":
        ticks = [int(opts.update_wait * 10)]

        def go():
            if _LIVE and ticks[0] > 0:
                ticks[0] -= 1
                reactor.callLater(0.1, go)
                return
            if _LIVE:
                print "[wstest_boot] WARNING: %d case connection(s) still open at updateReports" % len(_LIVE)
            _origOnOpen(self)

        return go()
    return _origOnOpen(self)


def _connectionLost(self, reason):
    try:
        return _origLost(self, reason)
    finally:
        _LIVE.discard(self)


_SP.onOpen = _onOpen
_SP.connectionLost = _connectionLost

# What `wstest -m fuzzingserver -s spec.json` does, with the spec built above.
wstest.start({"mode": "fuzzingserver"}, spec)
