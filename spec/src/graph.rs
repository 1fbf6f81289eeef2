//! The workflow as a petgraph graph, and the analyses built on it.

use std::collections::HashSet;

use petgraph::graph::{DiGraph, NodeIndex};
use petgraph::visit::{Dfs, EdgeRef, Reversed};

use crate::model::{StateId, TransitionId, Workflow};

/// The states as nodes and one edge per (transition, source, target).
///
/// Node `i` is state `StateId(i)`; each edge carries the transition it comes from.
#[derive(Debug, Clone)]
pub struct Graph {
    graph: DiGraph<StateId, TransitionId>,
    /// Where runs start: the initial state, or each region's.
    initials: Vec<StateId>,
    finals: Vec<StateId>,
}

impl Graph {
    /// Builds the graph of `workflow`.
    pub fn new(workflow: &Workflow) -> Self {
        let mut graph = DiGraph::with_capacity(workflow.states.len(), workflow.transitions.len());
        for i in 0..workflow.states.len() {
            graph.add_node(StateId(i));
        }
        for (i, t) in workflow.transitions.iter().enumerate() {
            for from in &t.from {
                for to in &t.to {
                    graph.add_edge(
                        NodeIndex::new(from.0),
                        NodeIndex::new(to.0),
                        TransitionId(i),
                    );
                }
            }
        }
        let finals = (0..workflow.states.len())
            .map(StateId)
            .filter(|s| workflow.state(*s).is_final)
            .collect();
        Graph {
            graph,
            initials: workflow.initials(),
            finals,
        }
    }

    /// The underlying petgraph graph.
    pub fn petgraph(&self) -> &DiGraph<StateId, TransitionId> {
        &self.graph
    }

    /// States reachable from the initial state (itself included); with
    /// regions, from each region's initial state, whatever the `when`
    /// conditions ask of the others.
    pub fn reachable_from_initial(&self) -> HashSet<StateId> {
        let mut out = HashSet::new();
        let mut dfs = Dfs::empty(&self.graph);
        for start in &self.initials {
            dfs.move_to(NodeIndex::new(start.0));
            while let Some(n) = dfs.next(&self.graph) {
                out.insert(self.graph[n]);
            }
        }
        out
    }

    /// States from which some final state can be reached (the finals included).
    pub fn can_reach_final(&self) -> HashSet<StateId> {
        let reversed = Reversed(&self.graph);
        let mut out = HashSet::new();
        let mut dfs = Dfs::empty(reversed);
        for f in &self.finals {
            dfs.move_to(NodeIndex::new(f.0));
            while let Some(n) = dfs.next(reversed) {
                out.insert(self.graph[n]);
            }
        }
        out
    }
}

/// One step of a path: the event fired and the state it leads to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Step {
    /// The transition taken.
    pub transition: TransitionId,
    /// The state it leads to.
    pub to: StateId,
}

impl Graph {
    /// The shortest event sequence from the initial state to every reachable
    /// state (breadth-first distances from petgraph's `dijkstra`, then walked
    /// back choosing the earliest-declared transition at each step).
    pub fn shortest_paths(&self) -> Vec<(StateId, Vec<Step>)> {
        self.shortest_from()
            .into_iter()
            .map(|(_, state, steps)| (state, steps))
            .collect()
    }

    /// [`Graph::shortest_paths`], each with the state it starts from (with
    /// regions, the initial state of the state's region).
    fn shortest_from(&self) -> Vec<(StateId, StateId, Vec<Step>)> {
        let mut out = Vec::new();
        for initial in &self.initials {
            let start = NodeIndex::new(initial.0);
            let dist = petgraph::algo::dijkstra(&self.graph, start, None, |_| 1usize);
            self.walk_back(*initial, |n| dist.get(&n).copied(), &mut out);
        }
        out
    }

    fn walk_back(
        &self,
        initial: StateId,
        dist: impl Fn(NodeIndex) -> Option<usize>,
        out: &mut Vec<(StateId, StateId, Vec<Step>)>,
    ) {
        for node in self.graph.node_indices() {
            let Some(d) = dist(node) else { continue };
            let mut steps = Vec::with_capacity(d);
            let mut here = node;
            let mut left = d;
            while left > 0 {
                let edge = self
                    .graph
                    .edges_directed(here, petgraph::Direction::Incoming)
                    .filter(|e| dist(e.source()) == Some(left - 1))
                    .min_by_key(|e| e.weight().0)
                    .expect("a node at distance d has a predecessor at d - 1");
                steps.push(Step {
                    transition: *edge.weight(),
                    to: self.graph[here],
                });
                here = edge.source();
                left -= 1;
            }
            steps.reverse();
            out.push((initial, self.graph[node], steps));
        }
    }

    /// Event sequences from the initial state that together take every
    /// (transition, source, target) at least once: a test plan. Each
    /// sequence is the shortest path to an edge not yet taken, plus that edge.
    pub fn covering_paths(&self) -> Vec<Vec<Step>> {
        let shortest: std::collections::HashMap<StateId, (StateId, Vec<Step>)> = self
            .shortest_from()
            .into_iter()
            .map(|(start, state, steps)| (state, (start, steps)))
            .collect();
        let mut covered: HashSet<(TransitionId, StateId, StateId)> = HashSet::new();
        let mut plan = Vec::new();
        for edge in self.graph.edge_references() {
            let from = self.graph[edge.source()];
            let to = self.graph[edge.target()];
            let key = (*edge.weight(), from, to);
            if covered.contains(&key) {
                continue;
            }
            let Some((start, prefix)) = shortest.get(&from) else {
                continue;
            };
            let mut path = prefix.clone();
            path.push(Step {
                transition: *edge.weight(),
                to,
            });
            let mut at = *start;
            for step in &path {
                covered.insert((step.transition, at, step.to));
                at = step.to;
            }
            plan.push(path);
        }
        plan
    }
}
