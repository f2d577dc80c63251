// Loads the trace-kind declarations of every component the reports read (module augmentation of TraceEventMap).
import '../raft/trace-events';
import '../apiserver/trace-events';
import '../lb/trace-events';
import '../kubelet/static-pods';
import '../lease/acting';
import '../cluster/trace-events';
import '../controllers/events';
